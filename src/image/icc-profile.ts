/**
 * An ICC colour profile declares its own size in its first 4 bytes (big-endian): colour engines
 * (lcms, skcms) read that many bytes and no more, so whatever a file carries past it is read by
 * nobody and can hold anything (an appended EXIF block with GPS, say). The scans keep a profile
 * only up to that size.
 */

/** The smallest profile there is: its 128-byte header and its tag count. */
export const MIN_ICC_SIZE = 132;

/**
 * Largest profile kept, in bytes: libpng reads no larger one (its default chunk allocation limit,
 * PNG_USER_CHUNK_MALLOC_MAX), and real profiles are a few KiB to a few hundred.
 */
export const MAX_ICC_SIZE = 8_000_000;

/** The size `profile` declares, or `undefined` when it cannot be a profile (shorter than a header). */
export function declaredIccSize(profile: Uint8Array): number | undefined {
  if (profile.length < 4) return undefined;
  const declared = Buffer.from(profile.buffer, profile.byteOffset, 4).readUInt32BE(0);
  return declared >= MIN_ICC_SIZE && declared <= MAX_ICC_SIZE ? declared : undefined;
}
