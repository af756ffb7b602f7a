import { COVER_TYPES, type CoverType } from '../vod/cover-rules.js';

/** Types only fitting takes (COVER_FIT=on): never sent as they are, always converted. */
export const FIT_ONLY_EXTENSIONS = ['avif', 'tif', 'tiff'] as const;

/**
 * HEIC/HEIF: known by name so that such a photo is told what to send instead, but never offered
 * (sharp's prebuilt libvips has no HEVC decoder, so fitting cannot convert them).
 */
export const REFUSED_WITH_ADVICE_EXTENSIONS = ['heic', 'heif'] as const;

/** The image types a cover may have, by the extension VOD gets as `fileType`. */
export const IMAGE_EXTENSIONS = COVER_TYPES;
/** The extensions of an upload: a cover type, or (fitting) one to convert from. */
export type ImageExtension =
  | CoverType
  | (typeof FIT_ONLY_EXTENSIONS)[number]
  | (typeof REFUSED_WITH_ADVICE_EXTENSIONS)[number];

export type ImageKind = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP' | 'AVIF' | 'TIFF' | 'HEIC';

const KIND_OF_EXTENSION: Readonly<Record<ImageExtension, ImageKind>> = {
  jpg: 'JPEG',
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  avif: 'AVIF',
  tif: 'TIFF',
  tiff: 'TIFF',
  heic: 'HEIC',
  heif: 'HEIC',
};

/** Bytes needed to tell every kind apart (WebP's `RIFF····WEBP` and ISO-BMFF's `····ftypavif`). */
export const MAGIC_BYTES_NEEDED = 12;

export function isImageExtension(extension: string): extension is ImageExtension {
  return extension in KIND_OF_EXTENSION;
}

export function kindOfExtension(extension: ImageExtension): ImageKind {
  return KIND_OF_EXTENSION[extension];
}

/** ISO-BMFF brands (bytes 8–11 after `ftyp`) of AVIF, and of HEIC/HEIF. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** The image kind the first bytes of a file announce, or `undefined` for none of ours. */
export function detectImageKind(head: Uint8Array): ImageKind | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'PNG';
  if (starts(0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'GIF';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50)
    return 'WebP';
  if (starts(0x42, 0x4d)) return 'BMP';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'TIFF';
  const box = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (box.length >= 12 && box.toString('latin1', 4, 8) === 'ftyp') {
    const brand = box.toString('latin1', 8, 12);
    if (AVIF_BRANDS.has(brand)) return 'AVIF';
    if (HEIC_BRANDS.has(brand)) return 'HEIC';
  }
  return undefined;
}
