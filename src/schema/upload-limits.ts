import { IMAGE_EXTENSIONS } from '../upload/image-type.js';
import { MAX_FILE_NAME_LENGTH, MAX_FILE_SIZE } from '../vod/protocol.js';
import { builder } from './builder.js';

const UploadLimits = builder.objectRef<Record<string, never>>('UploadLimits').implement({
  description: 'What `uploadVideoCover` accepts, so a client can check before sending.',
  fields: (t) => ({
    maxFileSize: t.int({ description: 'Largest file, in bytes.', resolve: () => MAX_FILE_SIZE }),
    maxFileNameLength: t.int({ description: 'Longest file name without its extension, in characters.', resolve: () => MAX_FILE_NAME_LENGTH }),
    fileExtensions: t.stringList({ description: 'Accepted extensions, lower-case, without the dot.', resolve: () => [...IMAGE_EXTENSIONS] }),
  }),
});

builder.queryField('uploadLimits', (t) =>
  t.field({ description: 'What `uploadVideoCover` accepts.', type: UploadLimits, resolve: () => ({}) }),
);
