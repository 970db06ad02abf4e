import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ProductObject as Product } from '@agora/inventory';
import { OrderLineObject as OrderLine, OrderObject as Order } from '@agora/order';
import { GetPaymentsHandler, PaymentsObject as Payments } from '@agora/payment';
import { FirstQuery } from '@agora/platform';
import { AlsoBoughtObject as AlsoBought, RecommendationObject as Recommendation, Recommendations } from '@agora/recommendation';
import type { Loaders } from './loaders.js';

// The fields that join two contexts, each in a class of its own: a @ResolveField adds its
// field to the type only in an app that registers its class, which only the shop does,
// where both contexts run. A context app's types show only what it answers alone. The
// distributed mode's gateway declares the same fields (docs/schema.graphql is the schema
// of both), nullable: there the app that answers one may be down.

@Resolver(() => Product)
export class ProductAlsoBoughtResolver {
  constructor(private readonly recommendations: Recommendations) {}

  @ResolveField(() => [AlsoBought], { nullable: true, description: 'Products bought in the same orders, most often first.' })
  alsoBought(@Parent() product: Product, @Args() { first }: FirstQuery): Promise<AlsoBought[]> {
    return this.recommendations.alsoBought(product.sku, first ?? 10);
  }
}

@Resolver(() => Order)
export class OrderPaymentsResolver {
  constructor(private readonly paymentsOf: GetPaymentsHandler) {}

  @ResolveField(() => Payments, { nullable: true })
  payments(@Parent() order: Order): Promise<Payments> {
    return this.paymentsOf.execute(order.orderId);
  }
}

@Resolver(() => OrderLine)
export class OrderLineProductResolver {
  @ResolveField(() => Product, { nullable: true })
  product(@Parent() line: OrderLine, @Context('loaders') loaders: Loaders): Promise<Product | null> {
    return loaders.product.load(line.sku);
  }
}

@Resolver(() => AlsoBought)
export class AlsoBoughtProductResolver {
  @ResolveField(() => Product, { nullable: true })
  product(@Parent() alsoBought: AlsoBought, @Context('loaders') loaders: Loaders): Promise<Product | null> {
    return loaders.product.load(alsoBought.sku);
  }
}

@Resolver(() => Recommendation)
export class RecommendationProductResolver {
  @ResolveField(() => Product, { nullable: true })
  product(@Parent() recommendation: Recommendation, @Context('loaders') loaders: Loaders): Promise<Product | null> {
    return loaders.product.load(recommendation.sku);
  }
}
