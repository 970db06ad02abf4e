import type { ApolloServerPlugin } from '@apollo/server';
import { getLocation, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type SourceLocation } from 'graphql';

/**
 * Where in `document` the field at `path` of an answer is asked for: the line and column
 * of its first selection (through fragments), or undefined when the path leads nowhere.
 */
export function locationOf(document: DocumentNode, operationName: string | undefined, path: readonly (string | number)[]): SourceLocation | undefined {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName === undefined ? operations[0] : operations.find((candidate) => candidate.name?.value === operationName);
  const fragments = new Map(
    document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  const fieldIn = (selectionSet: SelectionSetNode, key: string): FieldNode | undefined => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === key) return selection;
      const nested = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value)?.selectionSet : undefined;
      const found = nested && fieldIn(nested, key);
      if (found) return found;
    }
    return undefined;
  };
  let field: FieldNode | undefined;
  let selectionSet = operation?.selectionSet;
  for (const key of path) {
    if (typeof key === 'number') continue;
    field = selectionSet && fieldIn(selectionSet, key);
    if (!field) return undefined;
    selectionSet = field.selectionSet;
  }
  return field?.loc ? getLocation(field.loc.source, field.loc.start) : undefined;
}

/**
 * Gives an error that an app answered the `locations` the shop would: of the field it is
 * the error of, in the client's operation. The stitched answer knows the error's path in
 * the client's operation but not where the field stands in it, since the app saw another
 * operation, the one the gateway sent it.
 */
export function errorLocations(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, request }) {
          if (response.body.kind !== 'single' || !document) return;
          const { errors } = response.body.singleResult;
          if (!errors?.length) return;
          response.body.singleResult.errors = errors.map((error) => {
            if (error.locations || !error.path) return error;
            const location = locationOf(document, request.operationName ?? undefined, error.path);
            return location ? { ...error, locations: [location] } : error;
          });
        },
      };
    },
  };
}
