import { randomUUID } from 'node:crypto';
import type { Query } from './postgres-pool.js';
import type { ClaimOutcome, ClaimedAnswer, UploadClaims } from './upload-claims.js';

/** The claim settings of the PostgreSQL ledger (see `PostgresLedgerOptions`). */
export interface ClaimSettings {
  claimLeaseMs: number;
  claimReuseMs: number;
  claimWaitMs: number;
}

/** The claims of this process: its replica id and how many claims it made. */
interface ClaimsState {
  readonly query: Query;
  readonly settings: ClaimSettings;
  readonly replica: string;
  claimNumber: number;
}

/** One caller's claim on the upload of (video, sha1). */
interface Claim {
  readonly videoFileId: string;
  readonly sha1: string;
  /** This caller, as the `owner` column names it. */
  readonly owner: string;
}

/**
 * The replicas' single-flight on the `upload_claims` table: one INSERT … ON CONFLICT takes a
 * claim or finds its holder; the holder renews its lease while VOD works and publishes its answer
 * with its record; a caller waiting on a holder takes its answer (README, "Running several
 * replicas").
 */
export function createPostgresClaims(query: Query, settings: ClaimSettings): UploadClaims {
  const state: ClaimsState = { query, settings, replica: randomUUID(), claimNumber: 0 };
  return {
    runOnce(videoFileId, sha1, call) {
      return runOnce(state, { videoFileId, sha1, owner: `${state.replica}:${++state.claimNumber}` }, call);
    },
  };
}

async function runOnce<Result>(
  state: ClaimsState,
  claim: Claim,
  call: () => Promise<ClaimedAnswer<Result>>,
): Promise<ClaimOutcome<Result>> {
  const { claimWaitMs } = state.settings;
  const giveUpAt = Date.now() + claimWaitMs;
  let pause = 10;
  // Once another replica's call is found running, its answer is this caller's, whatever was
  // published for the video since: the claim is only looked at, never taken over, until its
  // lease runs out without an answer. (Claiming on every look took it over when a newer cover
  // ended the answer's reuse between two looks, and the upload was sent and recorded twice.)
  let waiting = false;
  for (;;) {
    if (waiting) {
      const held = await lookAtHolder<Result>(state, claim);
      if (held?.result) return { result: held.result, ran: false };
      if (!held || held.lease_expired) waiting = false;
    }
    if (!waiting) {
      const row = await tryClaim<Result>(state, claim);
      if (row?.won_by === claim.owner) return runClaimed(state, claim, call);
      // An answer CLAIM did not take over is one it may reuse.
      if (row?.result) return { result: row.result, ran: false };
      waiting = true;
    }
    if (Date.now() > giveUpAt)
      throw new Error(`another replica held the upload of ${claim.videoFileId} for more than ${claimWaitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 100);
  }
}

async function lookAtHolder<Result>(state: ClaimsState, { videoFileId, sha1 }: Claim) {
  const { rows } = await state.query<{ result: Result | null; lease_expired: boolean }>(LOOK, [videoFileId, sha1]);
  return rows[0];
}

async function tryClaim<Result>(state: ClaimsState, { videoFileId, sha1, owner }: Claim) {
  const { claimLeaseMs, claimReuseMs } = state.settings;
  const { rows } = await state.query<{ won_by: string | null; result: Result | null }>(CLAIM, [
    videoFileId,
    sha1,
    owner,
    claimLeaseMs,
    claimReuseMs,
  ]);
  return rows[0];
}

/**
 * Runs the VOD call under the claim (renewing its lease), then publishes its answer and writes
 * its record, in one statement.
 */
async function runClaimed<Result>(
  state: ClaimsState,
  claim: Claim,
  call: () => Promise<ClaimedAnswer<Result>>,
): Promise<ClaimOutcome<Result>> {
  const { videoFileId, sha1, owner } = claim;
  const { claimLeaseMs } = state.settings;
  const renew = setInterval(
    () => {
      void state.query(RENEW, [videoFileId, sha1, owner, claimLeaseMs]).catch(() => undefined);
    },
    Math.max(1, Math.floor(claimLeaseMs / 3)),
  );
  let answer: ClaimedAnswer<Result>;
  try {
    answer = await call();
  } finally {
    clearInterval(renew);
  }
  const { result, record } = answer;
  try {
    await publish(state, claim, answer);
    return { result, ran: true };
  } catch {
    // The callers here have their answer whatever happens to this write; the record is written
    // again by the caller, and the other replicas take the claim over when its lease runs out.
    return record ? { result, ran: true, unrecorded: record } : { result, ran: true };
  }
}

async function publish<Result>(state: ClaimsState, claim: Claim, { result, record }: ClaimedAnswer<Result>) {
  await state.query(PUBLISH, [
    claim.videoFileId,
    claim.sha1,
    claim.owner,
    JSON.stringify(result),
    record?.coverFileId ?? null,
    record?.url ?? null,
    record?.size ?? null,
    record?.fileType ?? null,
    record?.uploadedAt ?? null,
    record?.kept?.key ?? null,
    record?.kept ? JSON.stringify(record.kept.result) : null,
  ]);
}

/**
 * Takes the claim of (video, sha1), or says who holds it and the answer it published. A claim is
 * taken over when its lease ran out without an answer (its replica died), when its answer was a
 * failure, or when its answer is older than the reuse window.
 */
const CLAIM = `
WITH attempt AS (
  INSERT INTO upload_claims AS c (video_file_id, sha1, owner, lease_until)
  VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))
  ON CONFLICT (video_file_id, sha1) DO UPDATE
     SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, result = NULL, done_at = NULL
   WHERE (c.result IS NULL AND c.lease_until < now())
      OR (c.result IS NOT NULL AND ((c.result ->> 'ok')::boolean IS NOT TRUE
                                    OR c.done_at < now() - make_interval(secs => $5::double precision / 1000)))
  RETURNING owner
)
SELECT (SELECT owner FROM attempt) AS won_by,
       (SELECT result FROM upload_claims WHERE video_file_id = $1 AND sha1 = $2) AS result`;

/** The claim as a caller waiting on its holder sees it: its answer, if any, and whether its lease ran out. */
const LOOK = `
SELECT result, result IS NULL AND lease_until < now() AS lease_expired
  FROM upload_claims WHERE video_file_id = $1 AND sha1 = $2`;

const RENEW = `
UPDATE upload_claims SET lease_until = now() + make_interval(secs => $4::double precision / 1000)
 WHERE video_file_id = $1 AND sha1 = $2 AND owner = $3 AND result IS NULL`;

/**
 * Publishes the answer and, for a success, writes its record and the answer kept under the
 * client's Idempotency-Key: one statement, so all or none.
 * Only while the claim is still this replica's (one that took it over writes its own). The video's
 * other answered claims end, so that a newer cover is not reused over. A record identical to the
 * video's latest (the same upload answered again after the reuse window) is not written twice.
 */
const PUBLISH = `
WITH published AS (
  UPDATE upload_claims SET result = $4::jsonb, done_at = now()
   WHERE video_file_id = $1 AND sha1 = $2 AND owner = $3
  RETURNING 1
), ended AS (
  UPDATE upload_claims SET done_at = '-infinity'
   WHERE video_file_id = $1 AND sha1 <> $2 AND result IS NOT NULL
), kept AS (
  INSERT INTO upload_keys (key, video_file_id, sha1, result)
  SELECT $10, $1, $2, $11::jsonb WHERE $10::text IS NOT NULL AND EXISTS (SELECT 1 FROM published)
  ON CONFLICT (key) DO NOTHING
)
INSERT INTO cover_uploads (video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at)
SELECT $1, $5, $6, $2, $7, $8, $9
 WHERE $5::text IS NOT NULL
   AND EXISTS (SELECT 1 FROM published)
   AND NOT EXISTS (SELECT 1 FROM (SELECT sha1, cover_file_id FROM cover_uploads
                                   WHERE video_file_id = $1 ORDER BY id DESC LIMIT 1) AS latest
                    WHERE latest.sha1 = $2 AND latest.cover_file_id = $5)`;
