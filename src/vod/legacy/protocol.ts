/**
 * The legacy API's `SmallFileUpload` contract as data (`docs/vod-protocol.md`), declared once for
 * the legacy client, the emulator and the tests. What a cover must be, for both APIs, is in
 * `../cover-rules.ts`.
 */

import { COVER_TYPES, type CoverType } from '../cover-rules.js';

/** The only action this project speaks. */
export const SMALL_FILE_UPLOAD = 'SmallFileUpload';

/** Paths the vendor served the action on; the client defaults to the first. */
export const VOD_PATHS = ['/v2/index.php', '/v3/index.php'] as const;

/** Default vendor endpoint (the host is `vod2.qcloud.com`, not `vod.api.qcloud.com`). */
export const DEFAULT_VOD_BASE_URL = 'https://vod2.qcloud.com';

/** The cover types the action takes, by `fileType` (the extension). */
export const LEGACY_COVER_TYPES: readonly CoverType[] = COVER_TYPES;

/** Default legacy short region code. */
export const DEFAULT_REGION = 'gz';

/** A region code: lower-case letters, digits and dashes (`gz`, `ap-guangzhou`). */
export const REGION_PATTERN = /^[a-z][a-z0-9-]*$/;

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
  /** API 2.0's common error: more calls than the quota (the emulator's rate) in one second. */
  QUOTA_EXCEEDED: 4400,
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
  [VodCode.QUOTA_EXCEEDED]: {
    message: 'Quota exceeded: the number of requests exceeded the quota',
    codeDesc: 'QuotaExceeded',
    canRetry: 1,
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
