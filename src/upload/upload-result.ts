import { VIDEO_FILE_ID_RULE, VodCode } from '../vod/protocol.js';

/** Why an upload failed: the `UploadErrorReason` enum of the schema. */
export const UPLOAD_ERROR_REASONS = {
  FILE_TOO_LARGE: 'The file is larger than VOD takes for a cover (1,048,576 bytes).',
  EMPTY_FILE: 'The file has no bytes.',
  INVALID_FILE_NAME:
    'The file name breaks VOD rules: at most 40 characters without the extension, none of \\ / : * ? " < > | or control characters.',
  UNSUPPORTED_FILE_TYPE: 'The file extension is not one of jpg, jpeg, png, gif, webp, bmp.',
  CONTENT_MISMATCH: "The file's bytes are not an image of the type its extension names.",
  INVALID_FILE_ID: `The video fileId is not ${VIDEO_FILE_ID_RULE}.`,
  UPLOAD_ABORTED: 'The upload stopped before the whole file arrived.',
  VOD_REJECTED: "VOD refused the cover; `code` is VOD's own.",
  VOD_UNAVAILABLE:
    'VOD did not answer usefully (timeout, connection, HTTP error, unreadable answer, or a passing fault after retries).',
  LEDGER_UNAVAILABLE: 'The shared cover ledger (PostgreSQL) could not be reached, so the upload was not sent to VOD.',
  FORBIDDEN: "The caller may not change this video's cover: its token lacks the scope, or the per-video rule refused.",
  IDEMPOTENCY_KEY_REUSED:
    'The Idempotency-Key was sent with another upload (another video or other bytes) within the last day.',
} as const;
export type UploadErrorReason = keyof typeof UPLOAD_ERROR_REASONS;

/**
 * Codes of failures that never got a VOD answer. Faults the gateway finds before calling VOD get
 * the code VOD would have given (-10003 names, types, ids; -10006 sizes); the rest are the
 * gateway's own, below VOD's range.
 */
export const GATEWAY_CODES = {
  /** No VOD answer in time. */
  VOD_TIMEOUT: -20001,
  /** The connection to VOD failed or dropped. */
  VOD_CONNECTION: -20002,
  /** VOD answered with an HTTP status other than 200. */
  VOD_HTTP_STATUS: -20003,
  /** VOD answered with a body that is not its JSON. */
  VOD_BAD_RESPONSE: -20004,
  /** The VOD call was aborted before it ended. */
  VOD_ABORTED: -20005,
  /** Too many uploads were already on their way to VOD; this one waited its bounded while. */
  GATEWAY_BUSY: -20006,
  /** The caller may not change this video's cover (scope or per-video rule); the file was not read. */
  FORBIDDEN: -20007,
  /** The shared ledger (replicas' single-flight) could not be reached; VOD was not called. */
  LEDGER_UNAVAILABLE: -20008,
  /** The Idempotency-Key was used for another upload; VOD was not called. */
  IDEMPOTENCY_KEY_REUSED: -20009,
} as const;

/** The code each reason the gateway detects itself carries. */
export const CODE_OF_REASON = {
  FILE_TOO_LARGE: VodCode.PACKET_SIZE,
  EMPTY_FILE: VodCode.PACKET_SIZE,
  UPLOAD_ABORTED: VodCode.PACKET_SIZE,
  INVALID_FILE_NAME: VodCode.PROTOCOL_PARAMS,
  UNSUPPORTED_FILE_TYPE: VodCode.PROTOCOL_PARAMS,
  CONTENT_MISMATCH: VodCode.PROTOCOL_PARAMS,
  INVALID_FILE_ID: VodCode.PROTOCOL_PARAMS,
} as const satisfies Partial<Record<UploadErrorReason, number>>;
export type LocalReason = keyof typeof CODE_OF_REASON;

/** The success member of the result union. */
export interface UploadCoverSuccess {
  ok: true;
  /** The cover's fileId, as VOD returned it. */
  fileId: string;
  url: string;
  videoFileId: string;
  sha1: string;
  size: number;
  instant: boolean;
  /** VOD attempts it took (for logs; not in the schema). */
  attempts?: number;
}

/** The error member of the result union. */
export interface UploadCoverError {
  ok: false;
  code: number;
  message: string;
  canRetry: boolean;
  reason: UploadErrorReason;
  /** API 3.0's error code, when VOD answered with one. */
  vodErrorCode?: string;
  /** VOD attempts made, when VOD was called (for logs; not in the schema). */
  attempts?: number;
}

export type UploadCoverResult = UploadCoverSuccess | UploadCoverError;

/** An error found before any VOD call. Only an interrupted upload is worth sending again. */
export function localError(reason: LocalReason, message: string): UploadCoverError {
  return { ok: false, code: CODE_OF_REASON[reason], message, canRetry: reason === 'UPLOAD_ABORTED', reason };
}
