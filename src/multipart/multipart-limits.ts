/** The bounds of a GraphQL multipart request besides its file. */
export const MULTIPART_DEFAULTS = {
  /** Largest `operations` or `map` field, in bytes. */
  maxFieldSize: 100_000,
  /** Most file parts in one request (`uploadVideoCover` takes one). */
  maxFiles: 1,
} as const;

/** Room for part headers and boundaries, which a client may pad: generous, and still bounded. */
const FRAMING_BYTES = 64 * 1024;

/**
 * Most bytes of a multipart request that are not its file: the two fields at their largest, and
 * the framing. A request longer than the largest file plus this cannot hold a valid upload.
 */
export function multipartOverhead(maxFieldSize: number = MULTIPART_DEFAULTS.maxFieldSize): number {
  return 2 * maxFieldSize + FRAMING_BYTES;
}
