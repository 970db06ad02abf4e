import type { ContextDefinition } from '@agora/host';
import { inventoryContext } from '@agora/inventory';
import { orderContext } from '@agora/order';
import { paymentContext } from '@agora/payment';
import { recommendationContext } from '@agora/recommendation';
import { userContext } from '@agora/user';

/** The contexts whose apps' GraphQL the gateway composes: every one of the shop's. */
export const GATEWAY_CONTEXTS: readonly ContextDefinition[] = [userContext, inventoryContext, orderContext, paymentContext, recommendationContext];
