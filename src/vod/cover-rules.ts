/**
 * What VOD takes as a cover, whichever API: the size, the file name's rules (SmallFileUpload's §1,
 * which the gateway applies to API 3.0 too) and the video fileId's. Declared once for the upload
 * path, the schema, the emulator and the tests.
 */

/** Every type of cover VOD takes (the legacy API all; API 3.0 some), by its extension. */
export const COVER_TYPES = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp'] as const;
export type CoverType = (typeof COVER_TYPES)[number];

/** Largest cover, in bytes: SmallFileUpload's §1 (1 ≤ fileSize ≤ 1,048,576), for API 3.0's CoverData too. */
export const MAX_FILE_SIZE = 1_048_576;

/** Longest `fileName`, counted in code points (§1). */
export const MAX_FILE_NAME_LENGTH = 40;

/** Characters `fileName` must not contain (§1). */
export const FORBIDDEN_FILE_NAME_CHARS = ['\\', '/', ':', '*', '?', '"', '<', '>', '|'] as const;

/** Longest video fileId this project accepts (the contract is silent; see README). */
export const MAX_VIDEO_FILE_ID_LENGTH = 64;

/** A video fileId: 1–64 characters of `[0-9A-Za-z_-]` (the contract is silent; see README). */
export const VIDEO_FILE_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

/** {@link VIDEO_FILE_ID_PATTERN} in words, for messages and descriptions. */
export const VIDEO_FILE_ID_RULE = '1–64 characters of 0-9, A-Z, a-z, "_" or "-"';

/** Why a `fileName` breaks §1, or `undefined` when it is valid. */
export function fileNameProblem(fileName: string): string | undefined {
  if (fileName.length === 0) return 'is empty';
  const length = [...fileName].length;
  if (length > MAX_FILE_NAME_LENGTH) {
    return `has ${length} characters (at most ${MAX_FILE_NAME_LENGTH})`;
  }
  const bad = FORBIDDEN_FILE_NAME_CHARS.find((c) => fileName.includes(c));
  if (bad !== undefined) return `contains the forbidden character ${JSON.stringify(bad)}`;
  return undefined;
}

/** Whether `value` is a valid video fileId for `extra.fileId`. */
export function isValidVideoFileId(value: unknown): value is string {
  return typeof value === 'string' && VIDEO_FILE_ID_PATTERN.test(value);
}

/** The MIME type the emulator serves a stored cover with. */
export function contentTypeOf(fileType: string): string {
  return CONTENT_TYPES[fileType.toLowerCase()] ?? 'application/octet-stream';
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
};
