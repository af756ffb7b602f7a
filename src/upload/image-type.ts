import { COVER_TYPES, type CoverType } from '../vod/cover-rules.js';

/** The image types a cover may have, by the extension VOD gets as `fileType`. */
export const IMAGE_EXTENSIONS = COVER_TYPES;
export type ImageExtension = CoverType;

export type ImageKind = 'JPEG' | 'PNG' | 'GIF' | 'WebP' | 'BMP';

const KIND_OF_EXTENSION: Readonly<Record<ImageExtension, ImageKind>> = {
  jpg: 'JPEG',
  jpeg: 'JPEG',
  png: 'PNG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
};

/** Bytes needed to tell every kind apart (WebP's `RIFF····WEBP` is the longest). */
export const MAGIC_BYTES_NEEDED = 12;

export function isImageExtension(extension: string): extension is ImageExtension {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extension);
}

export function kindOfExtension(extension: ImageExtension): ImageKind {
  return KIND_OF_EXTENSION[extension];
}

/** The image kind the first bytes of a file announce, or `undefined` for none of ours. */
export function detectImageKind(head: Uint8Array): ImageKind | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'PNG';
  if (starts(0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'GIF';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50)
    return 'WebP';
  if (starts(0x42, 0x4d)) return 'BMP';
  return undefined;
}
