import type { Upcaster } from '@agora/event-sourcing';
import type { ContextDefinition } from '@agora/host';
import { inventoryContext } from '@agora/inventory';
import { orderContext } from '@agora/order';
import { paymentContext } from '@agora/payment';
import type { ReadModel } from '@agora/projections';
import { recommendationContext } from '@agora/recommendation';
import { userContext } from '@agora/user';

/** Every context of the shop, in the order their modules are imported. */
export const SHOP_CONTEXTS: readonly ContextDefinition[] = [userContext, inventoryContext, orderContext, paymentContext, recommendationContext];

/** Every read model the shop serves: the host runs their projections, the CLI inspects and rebuilds them. */
export const SHOP_READ_MODELS: readonly ReadModel[] = SHOP_CONTEXTS.flatMap((context) => context.readModels);

/** How the shop's events stored in an older shape or under an older name are read: the host's store and the CLI's read through them. */
export const SHOP_UPCASTERS: readonly Upcaster[] = SHOP_CONTEXTS.flatMap((context) => context.upcasters ?? []);
