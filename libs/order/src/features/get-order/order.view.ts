import { ApiProperty } from '@nestjs/swagger';
import type { OrderRow } from '../../read-model/order.row.js';

export class OrderLineView {
  @ApiProperty({ example: 'TSHIRT-RED-M' })
  sku!: string;

  @ApiProperty({ example: 2 })
  quantity!: number;

  @ApiProperty({ description: 'Catalog price when the order was placed, in the smallest unit of the currency.', example: 1999 })
  unitPriceCents!: number;
}

export class OrderView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty()
  customerId!: string;

  @ApiProperty({ enum: ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED'] })
  status!: 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the order was rejected or cancelled: out-of-stock, unknown-sku, payment-declined, payment-timeout, reservation-timeout, reservation-expired (the stock was held for RESERVATION_TTL_MS without an answer from payment), cancelled-by-customer.',
    example: null,
  })
  reason!: string | null;

  @ApiProperty({ type: [OrderLineView] })
  lines!: OrderLineView[];

  @ApiProperty({ example: 3998 })
  totalCents!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** An order row as the API shows it. */
export function orderViewOf(row: OrderRow): OrderView {
  const { orderId, customerId, status, reason, lines, totalCents, currency, createdAt, updatedAt } = row;
  return { orderId, customerId, status, reason, lines, totalCents, currency, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}
