import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { requestContext } from '@agora/event-sourcing';
import { AddProductHandler, ProductAlreadyExists } from '@agora/inventory';
import { EmailTaken, RegisterUserHandler } from '@agora/user';

export const SEED_OPTIONS = Symbol('SeedOptions');

export interface SeedOptions {
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly demoData: boolean;
}

export const DEMO_CUSTOMER = { email: 'customer@agora.local', password: 'agora-customer', name: 'Demo Customer' };

const DEMO_PRODUCTS = [
  { sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', initialStock: 50 },
  { sku: 'TEA-GREEN', name: 'Green tea, 100 g', priceCents: 890, currency: 'EUR', initialStock: 80 },
  { sku: 'TEAPOT-CAST', name: 'Cast-iron teapot', priceCents: 4900, currency: 'EUR', initialStock: 10 },
  { sku: 'COASTER-CORK', name: 'Cork coaster', priceCents: 350, currency: 'EUR', initialStock: 200 },
];

/**
 * At start: the administrator of ADMIN_EMAIL if nobody has that email yet, and with
 * DEMO_DATA a demo customer and a few products when they are missing. Safe to run at
 * every start and on several hosts at once (each write is idempotent or refused).
 */
@Injectable()
export class DemoData implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    @Inject(SEED_OPTIONS) private readonly options: SeedOptions,
    private readonly users: RegisterUserHandler,
    private readonly products: AddProductHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword, demoData } = this.options;
    const admin = await this.users.ensureAdmin(adminEmail, adminPassword, 'Administrator', requestContext('seed'));
    if (admin.created) this.logger.warn(`Created the administrator ${adminEmail} with the password from ADMIN_PASSWORD; change it outside a demo.`);
    if (!demoData) return;
    await this.users.execute({ ...DEMO_CUSTOMER }, requestContext('seed')).catch((error: unknown) => {
      if (!(error instanceof EmailTaken)) throw error;
    });
    for (const product of DEMO_PRODUCTS) {
      await this.products.execute(product, requestContext('seed')).catch((error: unknown) => {
        if (!(error instanceof ProductAlreadyExists)) throw error;
      });
    }
  }
}
