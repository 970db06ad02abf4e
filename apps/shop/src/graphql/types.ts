import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum OrderStatusValue {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(OrderStatusValue, { name: 'OrderStatus' });

@ObjectType({ description: 'A product with its stock levels.' })
export class Product {
  @Field(() => ID) sku!: string;
  @Field() name!: string;
  @Field(() => Int, { description: 'Price in the smallest unit of the currency.' }) priceCents!: number;
  @Field() currency!: string;
  @Field(() => Int) available!: number;
  @Field(() => Int) reserved!: number;
  @Field(() => Int) sold!: number;
}

@ObjectType({ description: 'A product bought in the same orders as another.' })
export class AlsoBought {
  @Field() sku!: string;
  @Field(() => Int, { description: 'Confirmed orders that contained both.' }) count!: number;
}

@ObjectType({ description: 'A product recommended to the signed-in customer.' })
export class Recommendation {
  @Field() sku!: string;
  @Field(() => Int) score!: number;
}

@ObjectType()
export class ProductPage {
  @Field(() => [Product]) items!: Product[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last one.' }) nextCursor!: string | null;
}

@ObjectType()
export class OrderLine {
  @Field() sku!: string;
  @Field(() => Int) quantity!: number;
  @Field(() => Int) unitPriceCents!: number;
}

@ObjectType()
export class Charge {
  @Field(() => String, { nullable: true }) chargeId?: string;
  @Field(() => Int) amountCents!: number;
  @Field() currency!: string;
  @Field() status!: string;
  @Field(() => String, { nullable: true }) reason?: string;
  @Field() at!: string;
}

@ObjectType()
export class Refund {
  @Field(() => String, { nullable: true }) refundId?: string;
  @Field(() => String, { nullable: true }) chargeId?: string;
  @Field(() => Int) amountCents!: number;
  @Field() status!: string;
  @Field() at!: string;
}

@ObjectType({ description: "An order's charges and refunds." })
export class Payments {
  @Field(() => [Charge]) charges!: Charge[];
  @Field(() => [Refund]) refunds!: Refund[];
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
  @Field(() => Int) totalCents!: number;
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

@ObjectType()
export class User {
  @Field(() => ID) userId!: string;
  @Field() email!: string;
  @Field() name!: string;
  @Field() role!: string;
  @Field() createdAt!: string;
}
