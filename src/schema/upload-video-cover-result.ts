import type { Builder } from './builder.js';
import type { defineUploadVideoCoverError } from './upload-video-cover-error.js';
import type { defineUploadVideoCoverSuccess } from './upload-video-cover-success.js';

/** `union UploadVideoCoverResult`: the stored cover, or why it was not stored. */
export function defineUploadVideoCoverResult(
  builder: Builder,
  Success: ReturnType<typeof defineUploadVideoCoverSuccess>,
  Failure: ReturnType<typeof defineUploadVideoCoverError>,
) {
  return builder.unionType('UploadVideoCoverResult', {
    description: 'Either the stored cover or why it was not stored.',
    types: [Success, Failure],
    resolveType: (result) => (result.ok ? Success : Failure),
  });
}
