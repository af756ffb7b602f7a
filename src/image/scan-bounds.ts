/**
 * Counts a cover's structure may not pass, in every mode: files built to make decoders (sharp's
 * libvips when fitting, and every viewer's) work for seconds on a few bytes of structure each are
 * refused from those bytes, before anything is decoded. Each bound is far above what real encoders
 * write, and says why.
 */
export const SCAN_BOUNDS = {
  /**
   * Scans (SOS segments) of one JPEG. A progressive decoder walks every block of the image once per
   * scan, however few bytes the scan has: 2,600 scans of a few bytes each on a 6000 × 6000 photo
   * cost libjpeg 9–25 s of CPU. Real files have 1–4 (sequential) or about 10 (libjpeg's and
   * mozjpeg's progressive scripts); libjpeg-turbo's own fuzzers stop at 500.
   */
  jpegScans: 100,
  /**
   * Marker segments of one JPEG before its end (tables, APPn, comments; not the restart markers in
   * its data). Real files have tens; the most a real writer reaches is an ICC profile in 255 APP2
   * chunks plus extended XMP in 64 KiB chunks (400 of them fill 25 MiB). Each is a saved marker or
   * a table a decoder builds.
   */
  jpegSegments: 1_000,
  /**
   * Ancillary PNG chunks other than APNG frame chunks (text, sPLT, private and colour chunks).
   * libpng keeps at most 1,000 text, sPLT and unknown chunks (PNG_USER_CHUNK_CACHE_MAX) and skips
   * the rest; 2 million empty sPLT chunks (24 MB) still cost it seconds to skip.
   */
  pngAncillaryChunks: 1_000,
  /**
   * Image data chunks (IDAT, APNG's fdAT) of one PNG. libpng writes 8 KiB IDAT chunks, so a 25 MiB
   * PNG has about 3,200; this allows 256-byte chunks all the way.
   */
  pngDataChunks: 100_000,
  /**
   * Frames of one animation (GIF images, APNG fcTL, WebP ANMF): a viewer composes every frame onto
   * the canvas. libnsgif (NetSurf's GIF decoder) stops at the same count: "junk data that gives us
   * millions of frames"; 4,096 frames is 7 minutes at 10 per second.
   */
  frames: 4_096,
  /**
   * Other structural units of one file that a decoder walks one by one: GIF extensions besides a
   * frame's graphic control, WebP chunks besides frames, ISO-BMFF boxes on the path to the image
   * size. Real files have a handful; as libpng's chunk cache, a thousand.
   */
  otherUnits: 1_000,
  /**
   * Directories (IFDs, pages) chained in one TIFF. libvips reads every directory to count the
   * pages, so 200,000 chained IFDs cost it 9–25 s; a cover photo has one or two (with a
   * thumbnail), a scanned document tens.
   */
  tiffDirectories: 1_000,
  /** Entries of one TIFF directory: libtiff refuses more ("Sanity check on directory count failed"). */
  tiffEntries: 4_096,
} as const;

/** A count for a detail: `1,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
