import { UPLOAD_SCOPE } from '../auth/upload-policy.js';
import type { OutcomeLimits } from '../upload/outcomes.js';
import { MAX_FILE_NAME_LENGTH, VIDEO_FILE_ID_RULE } from '../vod/cover-rules.js';
import type { Builder } from './builder.js';
import type { defineUploadVideoCoverResult } from './upload-video-cover-result.js';

/** `Mutation.uploadVideoCover(fileId:, file:)`, described with the configured limits. */
export function defineUploadVideoCover(
  builder: Builder,
  Result: ReturnType<typeof defineUploadVideoCoverResult>,
  limits: OutcomeLimits,
) {
  builder.mutationField('uploadVideoCover', (t) =>
    t.field({
      description:
        `Uploads a video's cover image (${limits.fileExtensions.join(', ')}; at most ${limits.maxInputFileSize.toLocaleString('en-US')} bytes: see uploadLimits) to VOD. ` +
        'Send it as a GraphQL multipart request with the `x-graphql-yoga-csrf` or `apollo-require-preflight` header.',
      type: Result,
      // For routers that enforce them; the gateway checks the same itself (useAuthentication, the upload policy).
      authenticated: true,
      requiresScopes: [[UPLOAD_SCOPE]],
      args: {
        fileId: t.arg.id({ required: true, description: `The video's VOD fileId: ${VIDEO_FILE_ID_RULE}.` }),
        file: t.arg({
          type: 'Upload',
          required: true,
          description: `The image; its file name (without extension, at most ${MAX_FILE_NAME_LENGTH} characters) becomes the cover's name at VOD.`,
        }),
      },
      resolve: (_root, args, ctx) =>
        ctx.covers.upload({
          ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
          videoFileId: String(args.fileId),
          file: args.file,
          ...(ctx.uploadRequest ? { request: ctx.uploadRequest } : {}),
          ...(ctx.idempotencyKey === undefined ? {} : { idempotencyKey: ctx.idempotencyKey }),
          ...(ctx.request ? { signal: ctx.request.signal } : {}),
          ...(ctx.uploadPolicy
            ? { authorize: (videoFileId: string) => ctx.uploadPolicy!(ctx.auth?.claims, videoFileId) }
            : {}),
        }),
    }),
  );
}
