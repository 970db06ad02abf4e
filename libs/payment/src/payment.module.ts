import { Module, type DynamicModule } from '@nestjs/common';
import { CommandHandler, EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { CHECKPOINT_STORE, PostgresCheckpointStore, PostgresParkedEvents, type CheckpointStore } from '@agora/messaging';
import { BACKGROUND_WORK, callPolicy, PG_POOL, type BackgroundWork, type CallPolicyOptions, type Config } from '@agora/platform';
import type pg from 'pg';
import { GetPaymentsController } from './features/get-payments/get-payments.controller.js';
import { GetPaymentsHandler } from './features/get-payments/get-payments.handler.js';
import { PaymentProcessor, type PaymentProcessorOptions } from './features/process-payments/payment-processor.js';
import { PAYMENT_GATEWAY, type PaymentGateway } from './gateway/payment-gateway.js';
import { ResilientPaymentGateway } from './gateway/resilient-payment-gateway.js';
import { SimulatedPaymentGateway, type SimulatedPaymentGatewayOptions } from './gateway/simulated-payment-gateway.js';
import { PaymentCommandsHandler } from './integration/payment-commands.handler.js';
import { PaymentOutboundMapping } from './integration/payment-outbound.mapping.js';

export interface PaymentModuleOptions {
  /** The payment provider. Default: the simulator, configured by `simulator`. */
  readonly gateway?: PaymentGateway;
  readonly simulator?: SimulatedPaymentGatewayOptions;
  /** When given, every call to the gateway goes through this policy (`ResilientPaymentGateway`). */
  readonly gatewayPolicy?: CallPolicyOptions;
  /** Where the payment processor keeps its checkpoint. Default: PostgreSQL on the host's pool. */
  readonly checkpointStore?: CheckpointStore;
  readonly processor?: Omit<PaymentProcessorOptions, 'commandHandler'>;
}

/**
 * The payment context. Needs the host's `EVENT_STORE`, `PG_POOL` and `BACKGROUND_WORK` (global providers);
 * exports its inbound handler and outbound mapping for the host's messaging to register.
 */
@Module({})
export class PaymentModule {
  /** The module on the simulated gateway that the host's configuration describes. */
  static fromConfig(config: Pick<Config, 'PAYMENT_GATEWAY_LATENCY_MS' | 'PAYMENT_GATEWAY_LATE_ANSWER_MS' | 'PAYMENT_GATEWAY_TIMEOUT_MS'>): DynamicModule {
    return PaymentModule.forRoot({
      simulator: {
        latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS,
        ...(config.PAYMENT_GATEWAY_LATE_ANSWER_MS !== undefined && { lateAnswerAfterMs: config.PAYMENT_GATEWAY_LATE_ANSWER_MS }),
      },
      gatewayPolicy: {
        name: 'the payment gateway',
        target: 'payment-gateway',
        timeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS,
        retries: 2,
        breakAfter: 10,
        halfOpenAfterMs: 5_000,
        // As many as the processor has orders at work; it never asks for more.
        bulkhead: { limit: 32, queue: 32 },
      },
    });
  }

  static forRoot(options: PaymentModuleOptions = {}): DynamicModule {
    return {
      module: PaymentModule,
      controllers: [GetPaymentsController],
      providers: [
        GetPaymentsHandler,
        { provide: PAYMENT_GATEWAY, useValue: resilient(options.gateway ?? new SimulatedPaymentGateway(options.simulator), options.gatewayPolicy) },
        {
          provide: CHECKPOINT_STORE,
          inject: [PG_POOL, BACKGROUND_WORK],
          useFactory: async (pool: pg.Pool, work: BackgroundWork): Promise<CheckpointStore> => {
            if (options.checkpointStore) return options.checkpointStore;
            return new PostgresCheckpointStore(pool, work.fence);
          },
        },
        { provide: CommandHandler, inject: [EVENT_STORE], useFactory: (store: EventStore) => new CommandHandler(store) },
        { provide: PaymentCommandsHandler, inject: [CommandHandler], useFactory: (commands: CommandHandler) => new PaymentCommandsHandler(commands) },
        { provide: PaymentOutboundMapping, useValue: new PaymentOutboundMapping() },
        {
          provide: PaymentProcessor,
          inject: [EVENT_STORE, PAYMENT_GATEWAY, CHECKPOINT_STORE, CommandHandler, BACKGROUND_WORK, PG_POOL],
          useFactory: (store: EventStore, gateway: PaymentGateway, checkpoints: CheckpointStore, commands: CommandHandler, work: BackgroundWork, pool: pg.Pool) => {
            const processor = new PaymentProcessor(store, gateway, checkpoints, { ...options.processor, commandHandler: commands, parked: new PostgresParkedEvents(pool) });
            work.add('payment.processor', processor);
            return processor;
          },
        },
      ],
      exports: [PAYMENT_GATEWAY, PaymentCommandsHandler, PaymentOutboundMapping, GetPaymentsHandler],
    };
  }
}

function resilient(gateway: PaymentGateway, policy: CallPolicyOptions | undefined): PaymentGateway {
  return policy ? new ResilientPaymentGateway(gateway, callPolicy(policy)) : gateway;
}
