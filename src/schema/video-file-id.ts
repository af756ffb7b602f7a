import { GraphQLError } from 'graphql';
import { VIDEO_FILE_ID_RULE, isValidVideoFileId } from '../vod/cover-rules.js';

/**
 * A fileId argument that reads the ledger: checked before it reaches a query, so that one bad id
 * (a NUL, a nested array) cannot fail the batch the others share.
 */
export function checkedVideoFileId(value: unknown): string {
  if (!isValidVideoFileId(value)) throw badInput(`The fileId is not valid (a video fileId is ${VIDEO_FILE_ID_RULE}).`);
  return value;
}

/** An expected error: reported on its field, not masked and not logged. */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
