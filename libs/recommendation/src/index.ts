export * from './recommendation.module.js';
export { changeOf } from './domain/purchase-statistics.js';
export type { ConfirmedOrder, CoPurchaseIncrement, PurchasedLine, PurchaseIncrement, PurchaseStatisticsChange } from './domain/purchase-statistics.js';
export { RecommendationOrdersHandler } from './integration/recommendation-orders.handler.js';
export { Recommendations } from './features/recommendations.js';
export type { AlsoBought, Recommendation } from './features/recommendations.js';
export { recommendationReadModel, RECOMMENDATION_READ_SCHEMA } from './read-model/recommendation-read-model.js';
export { recommendationContext } from './recommendation.context.js';
