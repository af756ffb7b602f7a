import type { UploadCoverResult } from './upload-result.js';

/** One answered upload, for logs and metrics. */
export interface UploadEvent {
  requestId?: string | undefined;
  videoFileId: string;
  result: UploadCoverResult;
  /** File bytes read from the client. */
  bytesRead: number;
  /** Set when the file was read whole. */
  size?: number | undefined;
  sha1?: string | undefined;
  /** How long its VOD call waited for its turn of the account's rate, in ms (when one was taken). */
  turnWaitMs?: number | undefined;
  durationMs: number;
}

/** One settled VOD call (either API), retries included. */
export interface VodCallEvent {
  /** ok, instant, rejected, retryable (canRetry answers to the end), or a transport error code. */
  result: string;
  durationMs: number;
  attempts: number;
}

/** What the upload path tells an operator (the observer in observability/ implements it). */
export interface UploadEvents {
  uploadStarted?(): void;
  uploadDone?(event: UploadEvent): void;
  vodCalled?(call: VodCallEvent): void;
  /** An upload shared another's VOD call. */
  joined?(): void;
  /** The replicas' shared single-flight could not be reached (the upload got LEDGER_UNAVAILABLE). */
  claimsUnreachable?(error: unknown): void;
  /** A success could not be recorded (the upload itself stands). */
  recordLost?(error: unknown): void;
  /** A VOD call took its turn of the account's rate, after waiting `waitedMs`. */
  turnTaken?(waitedMs: number): void;
  /** The account's rate left a call no turn (its queue full, or past its deadline). */
  turnRefused?(): void;
}
