import { delegateToSchema, type SubschemaConfig } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { filterSchema } from '@graphql-tools/utils';
import { lexicographicSortSchema, OperationTypeNode, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { ContextClient, GatewayContext } from './context-clients.js';

/**
 * The fields that join two contexts, as the all-in-one shop declares them (its
 * `apps/shop/src/graphql/joins.ts`); `docs/schema.graphql` holds the schema both serve,
 * and a test of each holds it to that file. Nullable: in the distributed mode the app
 * that answers one may be down, and then the field is null with an error naming it.
 */
const JOINS = /* GraphQL */ `
  extend type Order {
    payments: Payments
  }
  extend type OrderLine {
    product: Product
  }
  extend type Product {
    """
    Products bought in the same orders, most often first.
    """
    alsoBought(
      """
      How many items, 1 to 100 (default 20).
      """
      first: Int
    ): [AlsoBought!]
  }
  extend type AlsoBought {
    product: Product
  }
  extend type Recommendation {
    product: Product
  }
`;

/**
 * The queries a context app serves only because it has no joins (`graphql.alone`): the
 * payment app's `payments` and the recommendation app's `alsoBought`. The composed schema
 * answers them as the shop does, as `Order.payments` and `Product.alsoBought`.
 */
const ONLY_ON_THE_APPS = new Set(['Query.payments', 'Query.alsoBought']);

/**
 * The distributed mode's GraphQL schema: the apps' schemas stitched into one (each root
 * field answered by its app; `@graphql-tools/stitch`), with the joins between contexts
 * resolved by asking the other app, so that it is the all-in-one shop's schema.
 * Delegations to one app made in the same tick go out as one request (`batch`): the
 * products of twenty order lines are one call to the inventory app.
 */
export function composedSchema(schemas: ReadonlyMap<string, GraphQLSchema>, clients: ReadonlyMap<string, ContextClient>): GraphQLSchema {
  const subschemas = new Map<string, SubschemaConfig>(
    [...schemas].map(([service, schema]) => {
      const client = clients.get(service);
      if (!client) throw new Error(`No client for the ${service} app's GraphQL`);
      return [service, { schema, executor: client.executor, batch: true }];
    }),
  );
  const subschema = (service: string): SubschemaConfig => {
    const found = subschemas.get(service);
    if (!found) throw new Error(`The composed schema joins the ${service} app's GraphQL, which is not among its subschemas`);
    return found;
  };
  /** Resolves a join as the root query `fieldName` of `service`'s app, with `args` from the parent. */
  const join = <P>(service: string, fieldName: string, selectionSet: string, args: (parent: P, fieldArgs: Record<string, unknown>) => Record<string, unknown>) => {
    const schema = subschema(service);
    return {
      selectionSet,
      resolve: (parent: P, fieldArgs: Record<string, unknown>, context: GatewayContext, info: GraphQLResolveInfo) =>
        delegateToSchema({ schema, operation: OperationTypeNode.QUERY, fieldName, args: args(parent, fieldArgs), context, info }),
    };
  };
  const productOf = join<{ sku: string }>('inventory', 'product', '{ sku }', ({ sku }) => ({ sku }));
  const stitched = stitchSchemas({
    subschemas: [...subschemas.values()],
    typeDefs: JOINS,
    resolvers: {
      Order: { payments: join<{ orderId: string }>('payment', 'payments', '{ orderId }', ({ orderId }) => ({ orderId })) },
      OrderLine: { product: productOf },
      Product: { alsoBought: join<{ sku: string }>('recommendation', 'alsoBought', '{ sku }', ({ sku }, { first }) => ({ sku, ...(first != null && { first }) })) },
      AlsoBought: { product: productOf },
      Recommendation: { product: productOf },
    },
  });
  return lexicographicSortSchema(filterSchema({ schema: stitched, rootFieldFilter: (operation, field) => !ONLY_ON_THE_APPS.has(`${operation}.${field}`) }));
}
