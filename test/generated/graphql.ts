/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Why an upload failed, for clients to switch on. */
export type UploadErrorReason =
  /** The file's bytes are not an image of the type its extension names. */
  | 'CONTENT_MISMATCH'
  /** Fitting (COVER_FIT=on) found no JPEG or PNG of the image within 1,048,576 bytes, even at low quality and a smaller size. */
  | 'COVER_CANNOT_FIT'
  /** The file has no bytes. */
  | 'EMPTY_FILE'
  /** The file is larger than 1,048,576 bytes, the largest file accepted (uploadLimits.maxFileSize). */
  | 'FILE_TOO_LARGE'
  /** Fitting (COVER_FIT=on) could not run now: every place was taken, or it ran out of time. */
  | 'FIT_UNAVAILABLE'
  /** The caller may not change this video's cover: its token lacks the scope, or the per-video rule refused. */
  | 'FORBIDDEN'
  /** The Idempotency-Key was sent with another upload (another video or other bytes) within the last 24 hours. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The file starts as an image of its type, but its structure (header, segments, chunks) cannot be read. */
  | 'IMAGE_UNREADABLE'
  /** The video fileId is not 1–64 characters of 0-9, A-Z, a-z, "_" or "-". */
  | 'INVALID_FILE_ID'
  /** The file name breaks VOD rules: at most 40 characters without the extension, none of \ / : * ? " < > | or control characters. */
  | 'INVALID_FILE_NAME'
  /** The shared cover ledger (PostgreSQL) could not be reached, so the upload was not sent to VOD. */
  | 'LEDGER_UNAVAILABLE'
  /** The image, or one of its frames or pages, declares more than 40,000,000 pixels (width × height, uploadLimits.maxPixels); it is refused from its header, before anything is decoded. */
  | 'TOO_MANY_PIXELS'
  /** The file extension is not one of jpg, jpeg, png, gif, webp, bmp. */
  | 'UNSUPPORTED_FILE_TYPE'
  /** Fitting (COVER_FIT=on) cannot convert this format: HEIC (send JPEG or PNG), or BMP where the API in use does not take it. */
  | 'UNSUPPORTED_IMAGE_FORMAT'
  /** The upload stopped before the whole file arrived. */
  | 'UPLOAD_ABORTED'
  /** VOD refused the cover; `code` is VOD's own (legacy) or its error class's (API 3.0, with vodErrorCode). */
  | 'VOD_REJECTED'
  /** VOD did not answer usefully (timeout, connection, HTTP error, unreadable answer, or a passing fault after retries). */
  | 'VOD_UNAVAILABLE';

export type UploadLimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type UploadLimitsQuery = { uploadLimits: { maxFileSize: number, maxFileNameLength: number, fileExtensions: Array<string> } };

export type UploadPhotoMutationVariables = Exact<{
  fileId: string | number;
  file: unknown;
}>;


export type UploadPhotoMutation = { uploadVideoCover:
    | { __typename: 'UploadVideoCoverError', code: number, message: string, canRetry: boolean, reason: UploadErrorReason }
    | { __typename: 'UploadVideoCoverSuccess', url: string, sha1: string, size: number, width: number, height: number, transformed: boolean }
   };

export type UploadVideoCoverMutationVariables = Exact<{
  fileId: string | number;
  file: unknown;
}>;


export type UploadVideoCoverMutation = { uploadVideoCover:
    | { __typename: 'UploadVideoCoverError', code: number, message: string, canRetry: boolean, reason: UploadErrorReason }
    | { __typename: 'UploadVideoCoverSuccess', fileId: string, url: string, videoFileId: string, sha1: string, size: number, instant: boolean }
   };


export const UploadLimitsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UploadLimits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadLimits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxFileSize"}},{"kind":"Field","name":{"kind":"Name","value":"maxFileNameLength"}},{"kind":"Field","name":{"kind":"Name","value":"fileExtensions"}}]}}]}}]} as unknown as DocumentNode<UploadLimitsQuery, UploadLimitsQueryVariables>;
export const UploadPhotoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadPhoto"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fileId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideoCover"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fileId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fileId"}}},{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UploadVideoCoverSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"sha1"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}},{"kind":"Field","name":{"kind":"Name","value":"transformed"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UploadVideoCoverError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"canRetry"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<UploadPhotoMutation, UploadPhotoMutationVariables>;
export const UploadVideoCoverDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadVideoCover"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fileId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideoCover"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fileId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fileId"}}},{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UploadVideoCoverSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fileId"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"videoFileId"}},{"kind":"Field","name":{"kind":"Name","value":"sha1"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"instant"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UploadVideoCoverError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"canRetry"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<UploadVideoCoverMutation, UploadVideoCoverMutationVariables>;