import { Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestRefusal } from '../http/request-refusals.js';

/** Most representations per request by default: a router's batches stay well under it. */
export const DEFAULT_MAX_REPRESENTATIONS = 2000;

/**
 * Refuses an operation that asks federation's `_entities` for more than `max` representations in
 * all, before anything is resolved. Cost and depth limits do not count list arguments, so a small
 * query with one huge `representations` list would otherwise load and resolve every one of them.
 * Counts literal lists and list variables, through top-level fragments and aliases.
 */
export function useRepresentationsLimit(max: number = DEFAULT_MAX_REPRESENTATIONS): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const count = countRepresentations(args.document, args.operationName ?? undefined, args.variableValues ?? {});
      if (count > max) {
        setResultAndStopExecution({
          errors: [
            requestRefusal(
              'too-many-representations',
              `At most ${max} representations are resolved per request; this one asks for ${count}. Split it into batches.`,
            ),
          ],
        });
      }
    },
  };
}

function countRepresentations(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const seen = new Set<string>();
  const inRoot = (selectionSet: SelectionSetNode): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) total += inRoot(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          total += inRoot(fragment.selectionSet);
        }
      } else if (selection.name.value === '_entities') {
        const value = selection.arguments?.find((argument) => argument.name.value === 'representations')?.value;
        if (value?.kind === Kind.LIST) total += value.values.length;
        else if (value?.kind === Kind.VARIABLE) {
          const list = variables[value.name.value];
          total += Array.isArray(list) ? list.length : 1;
        } else if (value) total += 1;
      }
    }
    return total;
  };
  return inRoot(operation.selectionSet);
}
