import { Field, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '@agora/platform';

@ObjectType()
export class Charge {
  @Field(() => String, { nullable: true }) chargeId?: string;
  @Field(() => SafeInt) amountCents!: number;
  @Field() currency!: string;
  @Field() status!: string;
  @Field(() => String, { nullable: true }) reason?: string;
  @Field() at!: string;
}

@ObjectType()
export class Refund {
  @Field(() => String, { nullable: true }) refundId?: string;
  @Field(() => String, { nullable: true }) chargeId?: string;
  @Field(() => SafeInt) amountCents!: number;
  @Field() status!: string;
  @Field() at!: string;
}

@ObjectType({ description: "An order's charges and refunds." })
export class Payments {
  @Field(() => [Charge]) charges!: Charge[];
  @Field(() => [Refund]) refunds!: Refund[];
}
