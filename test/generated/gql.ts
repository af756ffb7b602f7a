/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query UploadLimits {\n  uploadLimits {\n    maxFileSize\n    maxFileNameLength\n    fileExtensions\n  }\n}": typeof types.UploadLimitsDocument,
    "mutation UploadPhoto($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      url\n      sha1\n      size\n      width\n      height\n      transformed\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}": typeof types.UploadPhotoDocument,
    "mutation UploadVideoCover($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      fileId\n      url\n      videoFileId\n      sha1\n      size\n      instant\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}": typeof types.UploadVideoCoverDocument,
};
const documents: Documents = {
    "query UploadLimits {\n  uploadLimits {\n    maxFileSize\n    maxFileNameLength\n    fileExtensions\n  }\n}": types.UploadLimitsDocument,
    "mutation UploadPhoto($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      url\n      sha1\n      size\n      width\n      height\n      transformed\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}": types.UploadPhotoDocument,
    "mutation UploadVideoCover($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      fileId\n      url\n      videoFileId\n      sha1\n      size\n      instant\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}": types.UploadVideoCoverDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query UploadLimits {\n  uploadLimits {\n    maxFileSize\n    maxFileNameLength\n    fileExtensions\n  }\n}"): (typeof documents)["query UploadLimits {\n  uploadLimits {\n    maxFileSize\n    maxFileNameLength\n    fileExtensions\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UploadPhoto($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      url\n      sha1\n      size\n      width\n      height\n      transformed\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}"): (typeof documents)["mutation UploadPhoto($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      url\n      sha1\n      size\n      width\n      height\n      transformed\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UploadVideoCover($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      fileId\n      url\n      videoFileId\n      sha1\n      size\n      instant\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}"): (typeof documents)["mutation UploadVideoCover($fileId: ID!, $file: Upload!) {\n  uploadVideoCover(fileId: $fileId, file: $file) {\n    __typename\n    ... on UploadVideoCoverSuccess {\n      fileId\n      url\n      videoFileId\n      sha1\n      size\n      instant\n    }\n    ... on UploadVideoCoverError {\n      code\n      message\n      canRetry\n      reason\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;