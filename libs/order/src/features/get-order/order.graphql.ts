import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SafeInt } from '@agora/platform';

export enum OrderStatusValue {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(OrderStatusValue, { name: 'OrderStatus' });

@ObjectType()
export class OrderLine {
  @Field() sku!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Int) unitPriceCents!: number;
}

/** An order over GraphQL: `OrderView` of REST. */
@ObjectType()
export class Order {
  @Field(() => ID) orderId!: string;
  @Field() customerId!: string;
  @Field(() => OrderStatusValue) status!: `${OrderStatusValue}`;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => [OrderLine]) lines!: OrderLine[];
  @Field(() => SafeInt) totalCents!: number;
  @Field() currency!: string;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
}

export enum OrderWait {
  TERMINAL = 'TERMINAL',
}
registerEnumType(OrderWait, { name: 'OrderWait', description: 'TERMINAL: until the order is CONFIRMED, REJECTED or CANCELLED.' });
