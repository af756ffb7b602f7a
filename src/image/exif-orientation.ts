/**
 * The one EXIF fact a stripped cover keeps: its Orientation (tag 0x0112), without which a phone
 * photo shows sideways. Reads it from a TIFF structure (the body of every EXIF block), and writes
 * the smallest TIFF that holds it.
 */

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/** Orientations 2–8 turn or mirror the image; 1 (or none) shows it as stored. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** Bytes of {@link orientationTiff}'s answer: header 8, entry count 2, one entry 12, next-IFD 4. */
export const ORIENTATION_TIFF_SIZE = 26;

/**
 * The `Exif\0\0` that starts EXIF in JPEG (and, from some writers, in WebP; libpng refuses an
 * `eXIf` chunk that does not start with the TIFF's byte order).
 */
export const EXIF_PREFIX = Buffer.from('Exif\0\0', 'latin1');

/**
 * The Orientation in IFD0 of `tiff` (a TIFF structure, without any prefix), or 1 when there is
 * none or the structure cannot be read: a damaged EXIF block is metadata to drop, not an error.
 */
export function readOrientation(tiff: Uint8Array): Orientation {
  const view = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.length < 8) return 1;
  const order = view.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const little = order === 'II';
  const u16 = (at: number) => (little ? view.readUInt16LE(at) : view.readUInt16BE(at));
  const u32 = (at: number) => (little ? view.readUInt32LE(at) : view.readUInt32BE(at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > view.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > view.length) return 1;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (u16(entry + 2) !== SHORT || u32(entry + 4) !== 1) return 1;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}

/** A big-endian TIFF whose IFD0 holds only `orientation` (26 bytes). */
export function orientationTiff(orientation: Orientation): Buffer {
  const tiff = Buffer.alloc(ORIENTATION_TIFF_SIZE);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(ORIENTATION_TAG, 10);
  tiff.writeUInt16BE(SHORT, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  // bytes 20–25: the value's padding and a next-IFD offset of 0.
  return tiff;
}

/** Orientations 5–8 turn the image a quarter: it shows with width and height swapped. */
export function turnsQuarter(orientation: Orientation): boolean {
  return orientation >= 5;
}
