import type { UploadCoverSuccess } from '../upload/upload-result.js';
import type { Builder } from './builder.js';
import type { defineVideo } from './video.js';

/** The success member of the result union. */
export function defineUploadVideoCoverSuccess(builder: Builder, Video: ReturnType<typeof defineVideo>) {
  return builder.objectRef<UploadCoverSuccess>('UploadVideoCoverSuccess').implement({
    description: 'VOD stored the cover.',
    fields: (t) => ({
      fileId: t.exposeID('fileId', {
        description:
          "The cover's own VOD fileId with the legacy API (a numeric string longer than 2^53: keep it a string). With API 3.0 a cover is an attribute of the video and has no id of its own: this is the video's FileId.",
      }),
      url: t.exposeString('url', { description: 'Where VOD serves the cover.' }),
      videoFileId: t.exposeID('videoFileId', { description: 'The video the cover belongs to, as sent.' }),
      sha1: t.exposeString('sha1', {
        description:
          'SHA-1 of the cover stored (the bytes received, less their metadata unless uploadLimits.stripsMetadata is false), 40 lower-case hex characters.',
      }),
      size: t.exposeInt('size', { description: 'Bytes of the cover stored.' }),
      width: t.exposeInt('width', {
        description: 'Width in pixels as the cover shows (its EXIF orientation applied), from its header.',
      }),
      height: t.exposeInt('height', {
        description: 'Height in pixels as the cover shows (its EXIF orientation applied), from its header.',
      }),
      transformed: t.exposeBoolean('transformed', {
        description:
          'True when the pixels were re-encoded to fit (COVER_FIT=on: too large, too big, or a type VOD does not take); false when VOD got the file as sent, its metadata aside.',
      }),
      instant: t.exposeBoolean('instant', {
        description: 'True when VOD already had these bytes for this video (VOD code 2): nothing new was stored.',
      }),
      video: t.field({
        description:
          'The video, to read its new cover (and, through a federation gateway, the rest of it) in the same response.',
        type: Video,
        resolve: (result) => ({ fileId: result.videoFileId }),
      }),
    }),
  });
}
