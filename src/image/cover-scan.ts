import { BmffScan } from './bmff-scan.js';
import { BmpScan } from './bmp-scan.js';
import type { ByteScan } from './byte-scan.js';
import { GifScan } from './gif-scan.js';
import { JpegScan } from './jpeg-scan.js';
import { PngScan } from './png-scan.js';
import { TiffScan } from './tiff-scan.js';
import { WebpScan } from './webp-scan.js';

export type { ScanProblem, ScannedImage } from './byte-scan.js';

/**
 * What happens to a cover's metadata: `strip` keeps only what decoding needs as the bytes arrive
 * (EXIF with GPS, time and camera, XMP, IPTC, comments, thumbnails and whatever decoders skip are
 * removed; the ICC profile, cut to its declared size, and the orientation stay); `keep` sends the
 * bytes exactly as received. Each format's scan says what it keeps.
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
  AVIF: BmffScan,
  TIFF: TiffScan,
  HEIC: BmffScan,
} as const;

/** The image kinds scanned: the upload path's own (upload/image-type.ts), by the same names. */
export type ScannedKind = keyof typeof SCANS;

/**
 * The scan of one cover of `kind`, in place over the buffer its bytes arrive in: it finds the size
 * a decoder shows, counts it and every frame, canvas or page against `maxPixels` (refused from the
 * header, before any pixel is decoded), refuses structures built to cost decoders dear
 * (scan-bounds.ts) and, with `strip`, compacts away all but what decoding needs. See byte-scan.ts
 * for how it is driven.
 */
export function createCoverScan(kind: ScannedKind, metadata: CoverMetadata, maxPixels: number): ByteScan {
  return new SCANS[kind](metadata === 'strip', maxPixels);
}
