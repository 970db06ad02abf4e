import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChargeOutcome, ChargeRequest, PaymentGateway, RefundRequest } from './payment-gateway.js';

/** Card tokens the simulator knows, like a card provider's test mode. */
export const TEST_TOKENS = {
  approved: 'tok_visa',
  declined: 'tok_chargeDeclined',
  /** Never answers, unless `lateAnswerAfterMs` is set: then it approves after that long. */
  timeout: 'tok_timeout',
} as const;

export interface SimulatedPaymentGatewayOptions {
  /** How long every answer takes. Default 0. */
  readonly latencyMs?: number;
  /** When set, `tok_timeout` is approved after this long instead of never answering. */
  readonly lateAnswerAfterMs?: number;
}

/** Money the simulator has moved, for tests and demos to inspect. */
export interface SimulatedCharge {
  readonly chargeId: string;
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  refundedCents: number;
}

/**
 * A deterministic payment provider in memory: `tok_visa` is approved, `tok_chargeDeclined`
 * declined (`card-declined`), `tok_timeout` never answers (or late, see the options), any
 * other token is declined as `invalid-token`. A request repeated with the same idempotency
 * key gets the first request's answer (even while that one is still on its way) and
 * moves no money again.
 *
 * A real provider outlives the process that calls it; this one lives in it. So that a
 * restart loses nothing, its ids are derived from the request (the same charge or refund
 * asked again after a restart gets the same id), and a refund of a charge it no longer
 * remembers (one made before the process started) is taken on trust for the amount asked.
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  /** Every charge request received, repeats included, in order. */
  readonly chargeRequests: ChargeRequest[] = [];
  /** Every approved charge, once each. */
  readonly charges: SimulatedCharge[] = [];
  readonly refunds: { refundId: string; chargeId: string; amountCents: number }[] = [];

  private readonly chargeAnswers = new Map<string, Promise<ChargeOutcome>>();
  private readonly refundAnswers = new Map<string, Promise<{ refundId: string }>>();

  constructor(private readonly options: SimulatedPaymentGatewayOptions = {}) {}

  charge(request: ChargeRequest): Promise<ChargeOutcome> {
    this.chargeRequests.push(request);
    let answer = this.chargeAnswers.get(request.idempotencyKey);
    if (!answer) {
      answer = this.answerCharge(request);
      this.chargeAnswers.set(request.idempotencyKey, answer);
    }
    return answer;
  }

  refund(request: RefundRequest): Promise<{ refundId: string }> {
    let answer = this.refundAnswers.get(request.idempotencyKey);
    if (!answer) {
      answer = this.answerRefund(request);
      this.refundAnswers.set(request.idempotencyKey, answer);
      // A failed refund may be tried again under the same key.
      answer.catch(() => this.refundAnswers.delete(request.idempotencyKey));
    }
    return answer;
  }

  private async answerCharge(request: ChargeRequest): Promise<ChargeOutcome> {
    await this.delay(this.options.latencyMs);
    switch (request.token) {
      case TEST_TOKENS.approved:
        return this.approve(request);
      case TEST_TOKENS.declined:
        return { outcome: 'declined', reason: 'card-declined' };
      case TEST_TOKENS.timeout:
        if (this.options.lateAnswerAfterMs === undefined) return new Promise<never>(() => undefined);
        await this.delay(this.options.lateAnswerAfterMs);
        return this.approve(request);
      default:
        return { outcome: 'declined', reason: 'invalid-token' };
    }
  }

  private approve(request: ChargeRequest): ChargeOutcome {
    const chargeId = `ch_${digest(request.idempotencyKey, request.amountCents, request.currency)}`;
    this.charges.push({ chargeId, orderId: request.orderId, amountCents: request.amountCents, currency: request.currency, refundedCents: 0 });
    return { outcome: 'approved', chargeId };
  }

  private async answerRefund(request: RefundRequest): Promise<{ refundId: string }> {
    await this.delay(this.options.latencyMs);
    const charge = this.charges.find((c) => c.chargeId === request.chargeId);
    if (!charge && !CHARGE_ID.test(request.chargeId)) throw new Error(`No charge ${request.chargeId} to refund.`);
    if (charge && charge.refundedCents + request.amountCents > charge.amountCents) {
      throw new Error(`Refunding ${request.amountCents} cents would exceed charge ${request.chargeId}.`);
    }
    if (charge) charge.refundedCents += request.amountCents;
    const refundId = `re_${digest(request.idempotencyKey, request.amountCents, request.chargeId)}`;
    const refund = { refundId, chargeId: request.chargeId, amountCents: request.amountCents };
    this.refunds.push(refund);
    return { refundId: refund.refundId };
  }

  private async delay(ms: number | undefined): Promise<void> {
    if (ms && ms > 0) await sleep(ms);
  }
}

/** The shape of the charge ids this simulator gives. */
const CHARGE_ID = /^ch_[0-9a-f]{32}$/;

/** 32 hex digits that only these values give. */
function digest(...values: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 32);
}
