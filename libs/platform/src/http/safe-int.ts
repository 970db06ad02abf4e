import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function safeInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GraphQLError(`SafeInt cannot represent ${JSON.stringify(value)}: it takes a whole number from -(2^53 - 1) to 2^53 - 1.`);
}

/**
 * GraphQL's `Int` stops at 2^31 - 1; an order's total reaches 10^14 cents and stock levels
 * grow with every addition. A SafeInt is sent as a plain JSON number, exact up to 2^53 - 1.
 */
export const SafeInt = new GraphQLScalarType<number, number>({
  name: 'SafeInt',
  description: 'A whole number from -(2^53 - 1) to 2^53 - 1, sent as a JSON number: counts and amounts that outgrow Int.',
  serialize: safeInteger,
  parseValue: safeInteger,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError('SafeInt takes a whole number.', { nodes: ast });
    return safeInteger(Number(ast.value));
  },
});
