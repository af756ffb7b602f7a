import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { VIDEO_FILE_ID_RULE, isValidVideoFileId } from '../vod/cover-rules.js';
import { badInput } from './video-file-id.js';

/**
 * Checks each `_entities` representation before federation's resolver sees it. That resolver
 * throws for the whole list on one representation it cannot place (an unknown `__typename`, a
 * number), and hands any `fileId` on to the ledger's batch. Here a bad representation is its own
 * `BAD_USER_INPUT` error at its index, and the valid ones of the same request still resolve.
 */
export function guardEntityRepresentations(schema: GraphQLSchema, entityTypes: readonly string[]): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve as GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }> | undefined;
  if (!field || !resolve) return;
  field.resolve = (root, args, context, info) =>
    args.representations.map((representation: unknown, index: number) => {
      const problem = representationProblem(representation, entityTypes);
      if (problem) return Promise.reject(badInput(`Representation ${index} is refused: ${problem}.`));
      return (resolve(root, { representations: [representation] }, context, info) as unknown[])[0];
    });
}

function representationProblem(representation: unknown, entityTypes: readonly string[]): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation))
    return 'it is not an object with __typename and fileId';
  const { __typename: typename, fileId } = representation as { __typename?: unknown; fileId?: unknown };
  if (typeof typename !== 'string' || !entityTypes.includes(typename)) {
    return `${JSON.stringify(typename ?? null)} is not an entity of this subgraph (${entityTypes.join(', ')} ${entityTypes.length === 1 ? 'is' : 'are'})`;
  }
  if (fileId === undefined) return `it has no fileId (a video fileId is ${VIDEO_FILE_ID_RULE})`;
  if (!isValidVideoFileId(fileId)) return `its fileId is not valid (a video fileId is ${VIDEO_FILE_ID_RULE})`;
  return undefined;
}
