import { MAX_FILE_NAME_LENGTH, MAX_FILE_SIZE } from '../vod/protocol.js';
import { builder } from './builder.js';

const UploadLimits = builder.objectRef<Record<string, never>>('UploadLimits').implement({
  description: 'What `uploadVideoCover` accepts, so a client can check before sending.',
  fields: (t) => ({
    maxFileSize: t.int({ description: 'Largest file, in bytes.', resolve: () => MAX_FILE_SIZE }),
    maxFileNameLength: t.int({
      description: 'Longest file name without its extension, in characters.',
      resolve: () => MAX_FILE_NAME_LENGTH,
    }),
    fileExtensions: t.stringList({
      description: 'Accepted extensions, lower-case, without the dot (API 3.0 takes only gif, jpeg, jpg and png).',
      resolve: (_limits, _args, ctx) => [...ctx.covers.fileExtensions],
    }),
  }),
});

builder.queryField('uploadLimits', (t) =>
  t.field({ description: 'What `uploadVideoCover` accepts.', type: UploadLimits, resolve: () => ({}) }),
);
