import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, Kind, OperationTypeNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Deepest selection accepted: order → lines → product → alsoBought → … stops here. */
export const MAX_DEPTH = 6;
/** Most fields a query may ask for, lists counted by their page size. */
export const MAX_COMPLEXITY = 1000;
const DEFAULT_PAGE = 20;
/** Most aliases in an operation: each one runs its field again (`a: register(…) b: register(…)`). */
export const MAX_ALIASES = 30;
/** Most mutations one request may run: each one writes, some hash a password. */
export const MAX_MUTATIONS = 10;

/** A validation rule: a query nested deeper than MAX_DEPTH is refused before it runs. */
export const depthLimit = maxDepthRule({
  n: MAX_DEPTH,
  ignoreIntrospection: true,
  // Reported as a validation error of the query (by default the rule throws, which Apollo answers as an internal error).
  propagateOnRejection: false,
  onReject: [
    (context) => context?.reportError(new GraphQLError(`Query is nested deeper than the limit of ${MAX_DEPTH}`)),
  ],
});

/** A validation rule: an operation with more than MAX_ALIASES aliases is refused before it runs. */
export const aliasLimit = maxAliasesRule({
  n: MAX_ALIASES,
  propagateOnRejection: false,
  onReject: [(context, error) => context?.reportError(new GraphQLError(`Query has more aliases than the limit of ${MAX_ALIASES}`, { originalError: error }))],
});

/**
 * A validation rule: a mutation operation with more than MAX_MUTATIONS fields at its root
 * (fragments included), each a write, is refused before any of them runs.
 */
export const mutationLimit: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (operation.operation !== OperationTypeNode.MUTATION) return;
    const mutations = rootFields(operation.selectionSet, context, new Set());
    if (mutations > MAX_MUTATIONS) {
      context.reportError(new GraphQLError(`Request runs ${mutations} mutations, the limit is ${MAX_MUTATIONS}`, { nodes: operation }));
    }
  },
});

function rootFields(selectionSet: SelectionSetNode, context: ValidationContext, spread: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += rootFields(selection.selectionSet, context, spread);
    } else if (!spread.has(selection.name.value)) {
      // A fragment spread twice runs its fields once.
      spread.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += rootFields(fragment.selectionSet, context, spread);
    }
  }
  return count;
}

/**
 * Refuses, before it runs, a query whose cost passes MAX_COMPLEXITY: one per field, and a
 * paged field costs its children times its `first` argument (DEFAULT_PAGE when absent).
 */
export function complexityLimit(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          // No operation of that name: Apollo refuses the request itself (400).
          if (!operation) return;
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              // The operation to run alone: graphql-query-complexity reads the name of every operation it
              // is given, and fails on an anonymous one beside an operationName.
              query: { ...document, definitions: document.definitions.filter((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition === operation) },
              variables: request.variables ?? {},
              estimators: [
                fieldExtensionsEstimator(),
                // A paged field costs its children once per item it may return.
                ({ field, args, childComplexity }) => {
                  if (!field.args.some((arg) => arg.name === 'first')) return undefined;
                  return 1 + childComplexity * ((args['first'] as number | undefined) ?? DEFAULT_PAGE);
                },
                simpleEstimator({ defaultComplexity: 1 }),
              ],
            });
          } catch (error) {
            // Variables of the wrong type: execution refuses them as BAD_USER_INPUT (400) before anything runs.
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (complexity > MAX_COMPLEXITY) {
            throw new GraphQLError(`Query is too complex: ${complexity}, the limit is ${MAX_COMPLEXITY}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
          }
        },
      };
    },
  };
}
