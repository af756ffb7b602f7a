import type sharpModule from 'sharp';
import type { Metadata, OutputInfo } from 'sharp';
import type { CoverType } from '../vod/cover-rules.js';

/** What a cover must be to go to VOD, and the pixel bound of the input. */
export interface FitTarget {
  maxFileSize: number;
  /** The types the API in use takes. */
  types: readonly CoverType[];
  maxPixels: number;
  /** Longest side of the fitted cover, in pixels. */
  maxDimension: number;
}

/** What one transform gives: the cover, or why there is none. */
export type TransformResult =
  | { ok: true; bytes: Buffer; fileType: 'jpg' | 'png'; width: number; height: number; quality?: number }
  | { ok: false; reason: 'TOO_MANY_PIXELS'; width: number; height: number }
  | { ok: false; reason: 'HEIC' | 'UNDECODABLE'; detail: string }
  | { ok: false; reason: 'CANNOT_FIT' };

/** JPEG qualities tried, best first: the highest that fits wins. */
const QUALITIES = [92, 85, 78, 70, 60, 50, 40] as const;
/** Each further try shrinks the longest side by this much, at most this many times. */
const SHRINK = 0.75;
const SHRINKS = 4;

/**
 * Re-encodes `input` (orientation applied, metadata gone) into a cover that meets `target`: the
 * largest side within `maxDimension`, then the best JPEG quality (PNG when it keeps a transparency
 * the API takes) whose file fits, shrinking further while none does. It runs in a fit process
 * (fit-process.ts), which the gateway ends at the deadline: nothing here watches the time.
 */
export async function transformCover(
  sharp: typeof sharpModule,
  input: Buffer,
  target: FitTarget,
): Promise<TransformResult> {
  const source = () => sharp(input, { limitInputPixels: target.maxPixels, failOn: 'error' });
  const heic = isHeic(input);
  let meta: Metadata;
  try {
    // Without the limit: the size is wanted even when it is too large, to say so.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    return undecodable(error, heic);
  }
  if (meta.format === 'heif' && meta.compression !== 'av1')
    return { ok: false, reason: 'HEIC', detail: 'HEVC-coded HEIF' };
  if (meta.width * meta.height > target.maxPixels)
    return { ok: false, reason: 'TOO_MANY_PIXELS', width: meta.width, height: meta.height };
  const alpha = meta.hasAlpha && target.types.includes('png');
  let side = Math.min(target.maxDimension, Math.max(meta.autoOrient.width, meta.autoOrient.height));
  for (let shrink = 0; shrink <= SHRINKS; shrink++, side = Math.floor(side * SHRINK)) {
    let pixels: { data: Buffer; info: OutputInfo };
    try {
      pixels = await source()
        .autoOrient()
        .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
        .flatten(alpha ? false : { background: '#ffffff' })
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      return undecodable(error, heic);
    }
    const { width, height, channels } = pixels.info;
    const raw = () => sharp(pixels.data, { raw: { width, height, channels } });
    if (alpha) {
      const png = await raw().png({ compressionLevel: 9 }).toBuffer();
      if (png.length <= target.maxFileSize) return { ok: true, bytes: png, fileType: 'png', width, height };
      continue;
    }
    for (const quality of QUALITIES) {
      const jpeg = await raw().jpeg({ quality, mozjpeg: false }).toBuffer();
      if (jpeg.length <= target.maxFileSize) return { ok: true, bytes: jpeg, fileType: 'jpg', width, height, quality };
    }
  }
  return { ok: false, reason: 'CANNOT_FIT' };
}

/** A decoding failure: a HEIC this build cannot decode, or an image that cannot be read. */
function undecodable(error: unknown, heic: boolean): TransformResult {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (heic) return { ok: false, reason: 'HEIC', detail: message };
  return { ok: false, reason: 'UNDECODABLE', detail: message };
}

/** Whether the bytes are an ISO-BMFF HEIF of HEVC brands (what phones save), not AVIF. */
function isHeic(input: Buffer): boolean {
  return input.toString('latin1', 4, 8) === 'ftyp' && !/^avi[fs]$/.test(input.toString('latin1', 8, 12));
}
