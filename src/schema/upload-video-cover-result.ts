import { builder } from './builder.js';
import { UploadVideoCoverError } from './upload-video-cover-error.js';
import { UploadVideoCoverSuccess } from './upload-video-cover-success.js';

export const UploadVideoCoverResult = builder.unionType('UploadVideoCoverResult', {
  description: 'Either the stored cover or why it was not stored.',
  types: [UploadVideoCoverSuccess, UploadVideoCoverError],
  resolveType: (result) => (result.ok ? UploadVideoCoverSuccess : UploadVideoCoverError),
});
