/**
 * What both reference servers (Yoga + graphql-upload-minimal, Apollo Server + graphql-upload-minimal)
 * run: the `uploadVideoCover` mutation written the way a user of those stacks would write it. The
 * file stream is read and SHA-1-hashed as it arrives, cut off past 1 MiB, and sent with a minimal
 * signed VOD client of their own (minimal-vod-client.ts: nothing of src/). Each answers the same
 * operation document as the gateway.
 */
import { createHash } from 'node:crypto';
import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { minimalVodClientFromEnv } from './minimal-vod-client.js';

/** The vendor's limit on a cover (docs/vod-protocol.md §1). */
const MAX_FILE_SIZE = 1_048_576;

export const PEER_TYPE_DEFS = /* GraphQL */ `
  scalar Upload
  type Query { ok: Boolean }
  type UploadVideoCoverSuccess { fileId: ID! url: String! videoFileId: ID! sha1: String! size: Int! instant: Boolean! }
  type UploadVideoCoverError { code: Int! message: String! canRetry: Boolean! reason: String! }
  union UploadVideoCoverResult = UploadVideoCoverSuccess | UploadVideoCoverError
  type Mutation { uploadVideoCover(fileId: ID!, file: Upload!): UploadVideoCoverResult! }
`;

const setCover = minimalVodClientFromEnv();

const failure = (reason: string, message: string, code = -10006) => ({
  __typename: 'UploadVideoCoverError',
  code,
  message,
  canRetry: false,
  reason,
});

async function uploadVideoCover(_root: unknown, args: { fileId: string; file: Promise<FileUpload> }) {
  const { filename, createReadStream } = await args.file;
  const hash = createHash('sha1');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of createReadStream() as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_FILE_SIZE) return failure('FILE_TOO_LARGE', `The file is larger than ${MAX_FILE_SIZE} bytes.`);
      hash.update(chunk);
      chunks.push(chunk);
    }
  } catch {
    // graphql-upload-minimal's own cap (maxFileSize) ends the stream with an error.
    return failure('FILE_TOO_LARGE', `The file is larger than ${MAX_FILE_SIZE} bytes.`);
  }
  const dot = filename.lastIndexOf('.');
  const sha1 = hash.digest('hex');
  try {
    const result = await setCover({
      videoFileId: args.fileId,
      fileName: filename.slice(0, dot),
      fileType: filename.slice(dot + 1).toLowerCase(),
      body: Buffer.concat(chunks, size),
      sha1,
    });
    if (!result.ok) return failure('VOD_REJECTED', result.message, result.code);
    return {
      __typename: 'UploadVideoCoverSuccess',
      fileId: result.fileId,
      url: result.url,
      videoFileId: args.fileId,
      sha1,
      size,
      instant: result.instant,
    };
  } catch (error) {
    return { ...failure('VOD_UNAVAILABLE', (error as Error).message, -20002), canRetry: true };
  }
}

export const PEER_RESOLVERS = {
  Upload: GraphQLUpload,
  UploadVideoCoverResult: { __resolveType: (value: { __typename: string }) => value.__typename },
  Mutation: { uploadVideoCover },
};

/** graphql-upload-minimal's limits, the same for both peers: one file, 1 MiB. */
export const PEER_UPLOAD_OPTIONS = { maxFiles: 1, maxFileSize: MAX_FILE_SIZE + 1 };
