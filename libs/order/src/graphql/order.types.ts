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

@ObjectType()
export class SagaStep {
  @Field() step!: string;
  @Field() input!: string;
  @Field() at!: string;
}

@ObjectType({ description: "An order's checkout saga." })
export class Saga {
  @Field() status!: string;
  @Field() currentStep!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => [SagaStep]) steps!: SagaStep[];
}

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

@ObjectType()
export class OrderPage {
  @Field(() => [Order]) items!: Order[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ObjectType()
export class PlacedOrder {
  @Field(() => ID) orderId!: string;
}

export enum OrderWait {
  TERMINAL = 'TERMINAL',
}
registerEnumType(OrderWait, { name: 'OrderWait', description: 'TERMINAL: until the order is CONFIRMED, REJECTED or CANCELLED.' });
