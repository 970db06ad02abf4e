import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { ChargeView, PaymentsView, RefundView } from './payments-view.js';

export class PaymentsQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose payment to show.' })
  @IsUUID()
  orderId!: string;
}

export class ChargeDto implements ChargeView {
  @ApiPropertyOptional({ description: 'The payment provider’s charge id, once captured.', example: 'ch_3f2a…' })
  chargeId?: string;

  @ApiProperty({ description: 'Amount in cents.', example: 4200 })
  amountCents!: number;

  @ApiProperty({ description: 'ISO 4217 currency code.', example: 'EUR' })
  currency!: string;

  @ApiProperty({ enum: ['captured', 'declined', 'pending'], description: 'pending: asked of the provider, no answer yet.' })
  status!: 'captured' | 'declined' | 'pending';

  @ApiPropertyOptional({ description: 'Why the charge was declined.', example: 'card-declined' })
  reason?: string;

  @ApiProperty({ format: 'date-time', description: 'When the charge reached this status.' })
  at!: string;
}

export class RefundDto implements RefundView {
  @ApiPropertyOptional({ description: 'The payment provider’s refund id, once refunded.' })
  refundId?: string;

  @ApiPropertyOptional({ description: 'The charge refunded, once known.' })
  chargeId?: string;

  @ApiProperty({ description: 'Amount given back, in cents; 0 when nothing needed refunding.', example: 4200 })
  amountCents!: number;

  @ApiProperty({
    enum: ['refunded', 'not-needed', 'pending'],
    description: 'not-needed: the order was never charged. pending: waiting for the provider (or for a late charge answer).',
  })
  status!: 'refunded' | 'not-needed' | 'pending';

  @ApiProperty({ format: 'date-time', description: 'When the refund reached this status.' })
  at!: string;
}

export class PaymentsDto implements PaymentsView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ type: [ChargeDto] })
  charges!: ChargeDto[];

  @ApiProperty({ type: [RefundDto] })
  refunds!: RefundDto[];
}
