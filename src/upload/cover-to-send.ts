import { createHash } from 'node:crypto';
import type { ScannedImage } from '../image/cover-scan.js';
import { turnsQuarter } from '../image/exif-orientation.js';
import type { ImageExtension } from './image-type.js';
import { outcomeKey, type OutcomeKey } from './outcomes.js';
import type { ReadUploadDone } from './read-upload.js';
import type { CheckedCover } from './send-cover.js';
import type { UploadSetup } from './upload-run.js';

/** The cover's bytes and facts, before the video and name are put with them. */
export type CoverToSend = Omit<CheckedCover, 'videoFileId' | 'fileName'> & { ok: true };

/**
 * The cover to send: the file as read (metadata stripped) when it already is one VOD takes here,
 * else, with fitting on, the file re-encoded to fit; without fitting, a file can only be too large
 * by being cut off while read, so it always is one.
 */
export async function coverToSend(
  setup: UploadSetup,
  read: ReadUploadDone,
  extension: ImageExtension,
  signal: AbortSignal | undefined,
): Promise<CoverToSend | OutcomeKey> {
  const { fitter, fileExtensions, maxFileSize, maxPixels } = setup;
  const shown = read.image && shownSize(read.image);
  const accepted = (fileExtensions as readonly string[]).includes(extension);
  const fits =
    shown &&
    accepted &&
    read.size <= maxFileSize &&
    Math.max(shown.width, shown.height) <= (fitter?.maxDimension ?? Infinity);
  if (fits) {
    const { bytes, sha1, size } = read;
    return { ok: true, fileType: extension, bytes, sha1, size, ...shown, transformed: false };
  }
  if (!fitter) return outcomeKey('UNSUPPORTED_FILE_TYPE', 'extension', { extension });
  if (extension === 'bmp') return outcomeKey('UNSUPPORTED_IMAGE_FORMAT', 'not-convertible', { format: 'BMP' });
  const fitted = await fitter.fit(read.bytes, { maxFileSize, types: fileExtensions, maxPixels }, signal);
  if (!fitted.ok) return fitted;
  const { bytes, fileType, width, height } = fitted;
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  return { ok: true, fileType, bytes, sha1, size: bytes.length, width, height, transformed: true };
}

/** The size a viewer shows the cover at: turned by its EXIF orientation. */
function shownSize({ width, height, orientation }: ScannedImage): { width: number; height: number } {
  return turnsQuarter(orientation) ? { width: height, height: width } : { width, height };
}
