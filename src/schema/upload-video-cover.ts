import { UPLOAD_SCOPE } from '../auth/upload-policy.js';
import { requestIdOf } from '../http/request-id.js';
import { VIDEO_FILE_ID_RULE } from '../vod/protocol.js';
import { builder } from './builder.js';
import { UploadVideoCoverResult } from './upload-video-cover-result.js';

builder.mutationField('uploadVideoCover', (t) =>
  t.field({
    description:
      "Uploads a video's cover image (jpg, jpeg, png or gif, and webp or bmp with the legacy VOD API: see uploadLimits; under 1 MiB) to VOD. Send it as a GraphQL multipart request with the `x-graphql-yoga-csrf` or `apollo-require-preflight` header.",
    type: UploadVideoCoverResult,
    // For routers that enforce them; the gateway checks the same itself (useAuthentication, the upload policy).
    authenticated: true,
    requiresScopes: [[UPLOAD_SCOPE]],
    args: {
      fileId: t.arg.id({ required: true, description: `The video's VOD fileId: ${VIDEO_FILE_ID_RULE}.` }),
      file: t.arg({
        type: 'Upload',
        required: true,
        description:
          "The image; its file name (without extension, at most 40 characters) becomes the cover's name at VOD.",
      }),
    },
    resolve: (_root, args, ctx) =>
      ctx.covers.upload({
        requestId: requestIdOf(ctx.req),
        videoFileId: String(args.fileId),
        file: args.file,
        ...(ctx.uploadRequest ? { request: ctx.uploadRequest } : {}),
        ...(ctx.idempotencyKey === undefined ? {} : { idempotencyKey: ctx.idempotencyKey }),
        ...(ctx.uploadPolicy
          ? { authorize: (videoFileId: string) => ctx.uploadPolicy!(ctx.auth?.claims, videoFileId) }
          : {}),
      }),
  }),
);
