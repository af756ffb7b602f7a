/**
 * The vendor's current API (3.0) as far as covers go: ModifyMediaInfo with CoverData, signed with
 * TC3-HMAC-SHA256 (docs/vod-api3.md). Declared once for the client, the emulator and the tests.
 */

import type { CoverType } from '../cover-rules.js';

export const API3_ACTION = 'ModifyMediaInfo';
export const API3_VERSION = '2018-07-17';
export const API3_SERVICE = 'vod';
export const DEFAULT_API3_BASE_URL = 'https://vod.tencentcloudapi.com';
export const API3_CONTENT_TYPE = 'application/json; charset=utf-8';
/** The vendor refuses a request whose X-TC-Timestamp is more than 5 minutes from its clock. */
export const API3_CLOCK_SKEW_SECONDS = 300;
/** CoverData takes only these (webp and bmp are refused before the call). */
export const API3_COVER_TYPES: readonly CoverType[] = ['jpg', 'jpeg', 'png', 'gif'];

/**
 * Gateway codes for 3.0 errors: `code` stays an Int, and the vendor's own code string goes in
 * `vodErrorCode`. One code per error class; whether it is retried follows the class.
 */
export const API3_ERROR_CLASSES = [
  { prefix: 'AuthFailure', code: -20101, canRetry: false },
  { prefix: 'InvalidParameter', code: -20102, canRetry: false },
  { prefix: 'ResourceNotFound', code: -20103, canRetry: false },
  { prefix: 'UnauthorizedOperation', code: -20104, canRetry: false },
  { prefix: 'InternalError', code: -20105, canRetry: true },
  { prefix: 'RequestLimitExceeded', code: -20106, canRetry: true },
  { prefix: 'ResourceUnavailable', code: -20107, canRetry: true },
] as const;
/** Any other 3.0 error (FailedOperation, UnsupportedOperation, InvalidAction, …): not retried. */
export const API3_OTHER_ERROR = { code: -20100, canRetry: false } as const;

/** The gateway code and retry rule of a 3.0 error code (`InvalidParameterValue.FileId` → -20102, no retry). */
export function classifyApi3Error(vodErrorCode: string): { code: number; canRetry: boolean } {
  const found = API3_ERROR_CLASSES.find(
    (entry) => vodErrorCode === entry.prefix || vodErrorCode.startsWith(entry.prefix),
  );
  return found ? { code: found.code, canRetry: found.canRetry } : API3_OTHER_ERROR;
}
