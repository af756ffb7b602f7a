import type { CoverRecord } from './cover-record.js';

/** What a claimed call gives: its answer, and for a success the record the ledger keeps of it. */
export interface ClaimedAnswer<Result> {
  result: Result;
  record?: CoverRecord;
}

/** What `runOnce` gives every caller: the answer, and a record its holder could not write. */
export interface ClaimOutcome<Result> {
  result: Result;
  /** True for the caller whose `call` made the answer (its record is written, or `unrecorded`). */
  ran: boolean;
  /**
   * The record of this answer when writing it with the answer failed (the database went away): the
   * caller writes it again the way any failed write is (the write-retrying ledger). Absent for
   * callers that got another's answer.
   */
  unrecorded?: CoverRecord;
}

/**
 * Single-flight across processes: replicas sharing a ledger make one VOD call for the same bytes of
 * the same video arriving at once, and every caller gets that call's answer. The in-process
 * single-flight stays in front, so each process asks once per flight.
 *
 * The holder writes the answer and its record in one statement: a replica that dies before it
 * leaves neither (the one that takes over writes both), and one that dies after it leaves both, so
 * an upload is never recorded twice, whatever was recorded for the video in between.
 */
export interface UploadClaims {
  /**
   * Runs `call` when no other process runs it for (video, sha1) now, or answered it a moment ago;
   * otherwise waits for that answer (kept as JSON: a result of the same call, by anyone). Rejects
   * when the shared store cannot be reached.
   */
  runOnce<Result>(
    videoFileId: string,
    sha1: string,
    call: () => Promise<ClaimedAnswer<Result>>,
  ): Promise<ClaimOutcome<Result>>;
}
