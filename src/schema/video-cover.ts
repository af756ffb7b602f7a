import type { CoverRecord } from '../ledger/cover-store.js';
import { VIDEO_FILE_ID_RULE } from '../vod/cover-rules.js';
import type { Builder } from './builder.js';
import { checkedVideoFileId } from './video-file-id.js';

/** `type VideoCover` and `Query.videoCover(fileId:)`: a video's latest cover, from the ledger. */
export function defineVideoCover(builder: Builder) {
  const VideoCover = builder.objectRef<CoverRecord>('VideoCover').implement({
    description: "A video's cover as the ledger recorded it when it was uploaded.",
    fields: (t) => ({
      fileId: t.exposeID('coverFileId', {
        description: "The cover's VOD fileId (a numeric string: keep it a string).",
      }),
      url: t.exposeString('url', { description: 'Where VOD serves the cover.' }),
      sha1: t.exposeString('sha1', { description: 'SHA-1 of the bytes uploaded, 40 lower-case hex characters.' }),
      size: t.exposeInt('size', { description: 'Bytes.' }),
      fileType: t.exposeString('fileType', { description: 'The extension VOD got as fileType (jpg, png, …).' }),
      uploadedAt: t.expose('uploadedAt', { type: 'DateTime', description: 'When the upload succeeded (UTC).' }),
    }),
  });
  builder.queryField('videoCover', (t) =>
    t.field({
      description: "A video's latest cover, or null when none was uploaded through this service.",
      type: VideoCover,
      nullable: true,
      args: { fileId: t.arg.id({ required: true, description: `The video's VOD fileId: ${VIDEO_FILE_ID_RULE}.` }) },
      resolve: (_root, args, ctx) => ctx.coverLoader.load(checkedVideoFileId(args.fileId)),
    }),
  );
  return VideoCover;
}
