import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsNotEmpty, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

@InputType('OrderLineInput')
export class OrderLineRequest {
  @ApiProperty({ description: 'Stock keeping unit of a product in the catalog.', example: 'TSHIRT-RED-M', pattern: '^[A-Z0-9][A-Z0-9-]{0,63}$' })
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,63}$/, { message: '$property must be 1 to 64 upper-case letters, digits and dashes, starting with a letter or digit' })
  @Field()
  sku!: string;

  @ApiProperty({ description: 'Units to buy.', example: 2, minimum: 1 })
  @Field(() => Int)
  @IsInt()
  @Min(1)
  quantity!: number;
}

/** The body of POST /api/orders, and the input of the placeOrder mutation. */
@InputType('PlaceOrderInput')
export class PlaceOrderRequest {
  @ApiProperty({ type: [OrderLineRequest], description: 'What to buy, each sku once; prices come from the catalog, all in one currency.', minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderLineRequest)
  @Field(() => [OrderLineRequest])
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
