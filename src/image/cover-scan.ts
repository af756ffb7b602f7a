import { BmpScan } from './bmp-scan.js';
import type { ByteScan } from './byte-scan.js';
import { GifScan } from './gif-scan.js';
import { JpegScan } from './jpeg-scan.js';
import { PngScan } from './png-scan.js';
import { PassThroughScan } from './pass-through-scan.js';
import { WebpScan } from './webp-scan.js';

export type { ScanProblem, ScannedImage } from './byte-scan.js';

/**
 * What happens to a cover's metadata: `strip` removes EXIF (GPS, time, camera), XMP, IPTC and
 * comments as the bytes arrive, keeping the ICC profile and the orientation; `keep` sends the
 * bytes exactly as received.
 */
export type CoverMetadata = 'strip' | 'keep';

export const COVER_SCAN_DEFAULTS = {
  coverMetadata: 'strip' as CoverMetadata,
  /** 40 megapixels: a 7,000 × 5,700 photo; a decoded RGBA image of this size is 160 MB. */
  maxPixels: 40_000_000,
} as const;

const SCANS = {
  JPEG: JpegScan,
  PNG: PngScan,
  GIF: GifScan,
  WebP: WebpScan,
  BMP: BmpScan,
  AVIF: PassThroughScan,
  TIFF: PassThroughScan,
  HEIC: PassThroughScan,
} as const;

/** The image kinds scanned: the upload path's own (upload/image-type.ts), by the same names. */
export type ScannedKind = keyof typeof SCANS;

/**
 * The scan of one cover of `kind`, in place over the buffer its bytes arrive in: it finds the
 * image's size (refused past `maxPixels`, from the header, before any pixel is decoded) and, with
 * `strip`, compacts the metadata away. See byte-scan.ts for how it is driven.
 */
export function createCoverScan(kind: ScannedKind, metadata: CoverMetadata, maxPixels: number): ByteScan {
  return new SCANS[kind](metadata === 'strip', maxPixels);
}
