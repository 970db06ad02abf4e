import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '../../domain/bounds.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * What is wrong with a client's idempotency key (the `Idempotency-Key` header, the
 * `idempotencyKey` argument of placeOrder), in the words of both APIs; undefined when it
 * is fine.
 */
export function idempotencyKeyProblem(key: string): string | undefined {
  return IDEMPOTENCY_KEY.test(key) ? undefined : 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces';
}

@InputType('OrderLineInput')
export class OrderLineRequest {
  @ApiProperty({ description: 'Stock keeping unit of a product in the catalog.', example: 'TSHIRT-RED-M', pattern: '^[A-Z0-9][A-Z0-9-]{0,63}$' })
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,63}$/, { message: '$property must be 1 to 64 upper-case letters, digits and dashes, starting with a letter or digit' })
  @Field()
  sku!: string;

  @ApiProperty({ description: `Units to buy, at most ${MAX_LINE_QUANTITY}.`, example: 2, minimum: 1, maximum: MAX_LINE_QUANTITY })
  @Field(() => Int, { description: `Units to buy, from 1 to ${MAX_LINE_QUANTITY}.` })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity!: number;
}

/** The body of POST /api/orders, and the input of the placeOrder mutation. */
@InputType('PlaceOrderInput')
export class PlaceOrderRequest {
  @ApiProperty({
    type: [OrderLineRequest],
    description: `What to buy, each sku once, at most ${MAX_ORDER_LINES} lines; prices come from the catalog, all in one currency.`,
    minItems: 1,
    maxItems: MAX_ORDER_LINES,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderLineRequest)
  @Field(() => [OrderLineRequest], { description: `What to buy, each sku once: 1 to ${MAX_ORDER_LINES} lines.` })
  lines!: OrderLineRequest[];

  @ApiProperty({
    description: "The payment provider's token for the customer's card (the simulator knows tok_visa, tok_chargeDeclined, tok_timeout).",
    example: 'tok_visa',
    maxLength: 200,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Field()
  paymentToken!: string;
}

export class PlaceOrderResponse {
  @ApiProperty({ format: 'uuid', example: '0b7a5c1e-4a8e-4d8e-9d43-1f6f2a6f3c55' })
  orderId!: string;
}
