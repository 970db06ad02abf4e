import { Module, type DynamicModule } from '@nestjs/common';
import { HostModule, onBootstrap } from '@agora/host';
import type { Config } from '@agora/platform';
import { RegisterUserHandler, seedUsers, UserModule, userReadModel } from '@agora/user';
import type pino from 'pino';

/** The user context as an app of its own (distributed mode): its database, its read model, Kafka for messages. */
@Module({})
export class UserAppModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: UserAppModule,
      imports: [
        HostModule.forRoot({ app: 'user', config, logger, jwtSecret: secrets.jwtSecret, readModels: [userReadModel] }),
        UserModule,
      ],
      providers: [
        onBootstrap('seed', [RegisterUserHandler], (users: RegisterUserHandler) =>
          seedUsers(users, { adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, demoCustomer: config.DEMO_DATA }),
        ),
      ],
    };
  }
}
