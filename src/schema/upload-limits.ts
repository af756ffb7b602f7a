import type { OutcomeLimits } from '../upload/outcomes.js';
import { MAX_FILE_NAME_LENGTH } from '../vod/cover-rules.js';
import type { Builder } from './builder.js';

/** `type UploadLimits` and `Query.uploadLimits`: what this gateway accepts, as it is configured. */
export function defineUploadLimits(builder: Builder, limits: OutcomeLimits): void {
  const UploadLimits = builder.objectRef<OutcomeLimits>('UploadLimits').implement({
    description: 'What `uploadVideoCover` accepts, so a client can check before sending.',
    fields: (t) => ({
      maxFileSize: t.int({
        description: 'Largest file accepted, in bytes (with fitting on, the largest photo it takes to fit).',
        resolve: (l) => l.maxInputFileSize,
      }),
      fitsPhotos: t.boolean({
        description:
          'True when a photo too large, too big or of a type VOD does not take is re-encoded to fit (COVER_FIT=on).',
        resolve: (l) => l.fitMaxDimension !== undefined,
      }),
      maxDimension: t.int({
        nullable: true,
        description: 'With fitting on, the longest side of a fitted cover, in pixels; null when fitting is off.',
        resolve: (l) => l.fitMaxDimension ?? null,
      }),
      maxFileNameLength: t.int({
        description: 'Longest file name without its extension, in characters.',
        resolve: () => MAX_FILE_NAME_LENGTH,
      }),
      maxPixels: t.int({
        description:
          'Most pixels (width × height) an image, any of its frames, or any page of a TIFF or HEIF may declare; refused from its header, before it is decoded.',
        resolve: (l) => l.maxPixels,
      }),
      stripsMetadata: t.boolean({
        description:
          'True when everything decoders do not need is removed before the cover is stored (EXIF with GPS, XMP, IPTC, comments, thumbnails; the ICC profile, cut to its declared size, and the orientation are kept); false when the bytes are stored as sent.',
        resolve: (l) => l.coverMetadata === 'strip',
      }),
      fileExtensions: t.stringList({
        description: 'Accepted extensions, lower-case, without the dot (API 3.0 takes only gif, jpeg, jpg and png).',
        resolve: (l) => [...l.fileExtensions],
      }),
    }),
  });
  builder.queryField('uploadLimits', (t) =>
    t.field({ description: 'What `uploadVideoCover` accepts.', type: UploadLimits, resolve: () => limits }),
  );
}
