import type { ReadModel } from '@agora/projections';
import { CoPurchaseRow } from './co-purchase.row.js';
import { CustomerPurchaseRow } from './customer-purchase.row.js';
import { HandledMessageRow } from './handled-message.row.js';
import { RecommendationCountersBigint1796000000002, RecommendationReadModel1795700000002 } from './recommendation-read-model.migration.js';

export const RECOMMENDATION_READ_SCHEMA = 'recommendation_read';

/**
 * The recommendation context's read side: schema `recommendation_read`. No projection
 * fills it: `RecommendationOrdersHandler` does, from order's integration messages, with
 * its own inbox in place of a checkpoint.
 */
export const recommendationReadModel: ReadModel = {
  schema: RECOMMENDATION_READ_SCHEMA,
  entities: [CustomerPurchaseRow, CoPurchaseRow, HandledMessageRow],
  migrations: [RecommendationReadModel1795700000002, RecommendationCountersBigint1796000000002],
  projections: [],
};
