import { inventoryReadModel } from '@agora/inventory';
import { orderReadModel } from '@agora/order';
import { paymentReadModel } from '@agora/payment';
import type { ReadModel } from '@agora/projections';
import { recommendationReadModel } from '@agora/recommendation';
import { userReadModel } from '@agora/user';

/** Every read model the shop serves: the host runs their projections, the CLI inspects and rebuilds them. */
export const SHOP_READ_MODELS: readonly ReadModel[] = [userReadModel, inventoryReadModel, orderReadModel, paymentReadModel, recommendationReadModel];
