import { Module, type DynamicModule } from '@nestjs/common';
import { HostModule, hostMessaging } from '@agora/host';
import type { Config } from '@agora/platform';
import { RecommendationModule, RecommendationOrdersHandler, recommendationReadModel } from '@agora/recommendation';
import type pino from 'pino';

/** The recommendation context as an app of its own (distributed mode): its database, its read model, Kafka for messages. */
@Module({})
export class RecommendationAppModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: RecommendationAppModule,
      imports: [
        HostModule.forRoot({ app: 'recommendation', config, logger, jwtSecret: secrets.jwtSecret, readModels: [recommendationReadModel] }),
        RecommendationModule,
      ],
      providers: [
        ...hostMessaging({ transport: 'kafka', app: 'recommendation', config, outbound: [], handlers: [RecommendationOrdersHandler] }),
      ],
    };
  }
}
