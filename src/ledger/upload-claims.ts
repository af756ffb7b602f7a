import type { UploadCoverResult } from '../upload/upload-result.js';

/**
 * Single-flight across processes: replicas sharing a ledger make one VOD call for the same bytes of
 * the same video arriving at once, and every caller gets that call's answer. The in-process
 * single-flight stays in front, so each process asks once per flight.
 */
export interface UploadClaims {
  /**
   * Runs `call` when no other process runs it for (video, sha1) now, or answered it a moment ago;
   * otherwise waits for that answer. Rejects when the shared store cannot be reached.
   */
  runOnce(videoFileId: string, sha1: string, call: () => Promise<UploadCoverResult>): Promise<UploadCoverResult>;
}
