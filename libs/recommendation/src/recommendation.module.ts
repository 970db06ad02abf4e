import { Module } from '@nestjs/common';
import { AlsoBoughtController } from './features/also-bought/also-bought.controller.js';
import { RecommendedForMeController } from './features/recommended-for-me/recommended-for-me.controller.js';
import { Recommendations } from './features/recommendations.js';
import { RecommendationOrdersHandler } from './integration/recommendation-orders.handler.js';

/**
 * The recommendation context: purchase history and co-purchase statistics, fed by
 * order's confirmed orders. Needs the read side's `DataSource` from a global module of
 * the host (`ReadSideModule` with `recommendationReadModel`); hands the host its message
 * handler for the messaging runtime and its queries for endpoints the host serves
 * itself (e.g. a signed-in customer's recommendations).
 */
@Module({
  controllers: [AlsoBoughtController, RecommendedForMeController],
  providers: [Recommendations, RecommendationOrdersHandler],
  exports: [Recommendations, RecommendationOrdersHandler],
})
export class RecommendationModule {}
