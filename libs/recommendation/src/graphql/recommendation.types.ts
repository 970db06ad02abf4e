import { Field, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '@agora/platform';

@ObjectType({ description: 'A product bought in the same orders as another.' })
export class AlsoBought {
  @Field() sku!: string;
  @Field(() => SafeInt, { description: 'Confirmed orders that contained both.' }) count!: number;
}

@ObjectType({ description: 'A product recommended to the signed-in customer.' })
export class Recommendation {
  @Field() sku!: string;
  @Field(() => SafeInt) score!: number;
}
