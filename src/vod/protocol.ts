/**
 * The VOD `SmallFileUpload` contract as data (`docs/vod-protocol.md`), declared once and used by
 * the client, the emulator, the gateway's validation and the tests alike.
 */

/** The only action this project speaks. */
export const SMALL_FILE_UPLOAD = 'SmallFileUpload';

/** Paths the vendor served the action on; the client defaults to the first. */
export const VOD_PATHS = ['/v2/index.php', '/v3/index.php'] as const;

/** Default vendor endpoint (the host is `vod2.qcloud.com`, not `vod.api.qcloud.com`). */
export const DEFAULT_VOD_BASE_URL = 'https://vod2.qcloud.com';

/** Default legacy short region code. */
export const DEFAULT_REGION = 'gz';

/** A region code: lower-case letters, digits and dashes (`gz`, `ap-guangzhou`). */
export const REGION_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Largest cover the action takes, in bytes (Decision in §1: 1 ≤ fileSize ≤ 1,048,576). */
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

/** A file type (extension without the dot): 1–16 ASCII letters or digits. */
export const FILE_TYPE_PATTERN = /^[0-9A-Za-z]{1,16}$/;

/** `fileSha`: 40 hex characters (the emulator compares case-insensitively). */
export const FILE_SHA_PATTERN = /^[0-9a-fA-F]{40}$/;

/** How far `Timestamp` may be from the server's clock, in seconds (§3: 2 h). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 7200;

export type SignatureMethod = 'HmacSHA1' | 'HmacSHA256';
export const SIGNATURE_METHODS: readonly SignatureMethod[] = ['HmacSHA1', 'HmacSHA256'];

/** The VOD answer codes of §3, with the `canRetry` the vendor gives each. */
export const VodCode = {
  OK: 0,
  PARTIALLY_EXISTS: 1,
  ALREADY_EXISTS: 2,
  COMMON_PARAMS: -10001,
  SIGNATURE: -10002,
  PROTOCOL_PARAMS: -10003,
  CACHE_WRITE: -10004,
  CACHE_READ: -10005,
  PACKET_SIZE: -10006,
} as const;
export type VodCode = (typeof VodCode)[keyof typeof VodCode];

/** Human text and retry hint for each error code the emulator produces. */
export const VOD_ERRORS: Readonly<
  Record<number, { readonly message: string; readonly codeDesc: string; readonly canRetry: 0 | 1 }>
> = {
  [VodCode.COMMON_PARAMS]: {
    message: 'common parameter check failed',
    codeDesc: 'CommonParamsError',
    canRetry: 0,
  },
  [VodCode.SIGNATURE]: {
    message: 'signature check failed',
    codeDesc: 'SignatureError',
    canRetry: 0,
  },
  [VodCode.PROTOCOL_PARAMS]: {
    message: 'protocol parameter check failed',
    codeDesc: 'ProtocolParamsError',
    canRetry: 0,
  },
  [VodCode.CACHE_WRITE]: {
    message: 'failed to write cache information',
    codeDesc: 'CacheWriteError',
    canRetry: 1,
  },
  [VodCode.CACHE_READ]: {
    message: 'failed to get cache information',
    codeDesc: 'CacheReadError',
    canRetry: 1,
  },
  [VodCode.PACKET_SIZE]: {
    message: 'invalid packet size',
    codeDesc: 'PacketSizeError',
    canRetry: 0,
  },
};

/** The JSON body VOD answers with (§3). Unknown fields are tolerated. */
export interface VodResponseBody {
  code: number;
  message?: string;
  codeDesc?: string;
  fileId?: string;
  url?: string;
  canRetry?: number;
}

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
