import type { Builder } from './builder.js';
import type { defineVideoCover } from './video-cover.js';

/** What this subgraph knows of a video: its key. Titles and the rest belong to other subgraphs. */
export interface VideoRef {
  fileId: string;
}

/** `type Video @key(fields: "fileId")`: the entity this subgraph adds a cover to. */
export function defineVideo(builder: Builder, VideoCover: ReturnType<typeof defineVideoCover>) {
  const Video = builder.objectRef<VideoRef>('Video').implement({
    description: 'A VOD video, an entity shared with the subgraph that owns videos; this one adds its cover.',
    fields: (t) => ({
      fileId: t.exposeID('fileId', { description: "The video's VOD fileId." }),
      cover: t.field({
        description: "The video's latest cover uploaded through this service, or null.",
        type: VideoCover,
        nullable: true,
        resolve: (video, _args, ctx) => ctx.coverLoader.load(video.fileId),
      }),
    }),
  });
  builder.asEntity(Video, {
    key: builder.selection<{ fileId: string }>('fileId'),
    resolveReference: (reference) => ({ fileId: reference.fileId }),
  });
  return Video;
}
