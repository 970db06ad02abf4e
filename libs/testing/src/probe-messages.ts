import { z } from 'zod';

/**
 * A message of no context, for the tests of the building blocks (transports, relays,
 * sagas): they carry whatever contracts a host gives them, these as well as the shop's.
 */
export const PROBE_CONTRACTS = {
  'probe.order-released.v1': { topic: 'probe.events.v1', schema: z.object({ orderId: z.uuid() }).strict(), formerly: ['probe.order-freed.v1'] },
  'probe.order-committed.v1': { topic: 'probe.commands.v1', schema: z.object({ orderId: z.uuid() }).strict() },
};

export type ProbeMessageType = keyof typeof PROBE_CONTRACTS;

/** `Message<'probe.order-released.v1'>`: as its sender writes it. */
export type ProbeMessage<T extends ProbeMessageType = ProbeMessageType> = {
  [K in T]: { readonly type: K; readonly key: string; readonly data: z.output<(typeof PROBE_CONTRACTS)[K]['schema']> };
}[T];
