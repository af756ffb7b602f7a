import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  coverRecordOf,
  type CoverRecord,
  type CoverRow,
  type CoverStore,
} from './cover-store.js';
import type { ClaimOutcome, ClaimedAnswer, UploadClaims } from './upload-claims.js';

const MIGRATIONS = new URL('./migrations/postgres/', import.meta.url);
/**
 * How long past the server's statement_timeout a query may go unanswered before the client gives
 * up on it. The server's timeout never sees a query lost on the way (a silent network); this does.
 */
const DEADLINE_MARGIN_MS = 1000;
/** Idle time before TCP keepalive probes a connection whose peer may be gone. */
const KEEPALIVE_DELAY_MS = 10_000;
/** How often the database is asked while it answers, and while it does not. */
const PING_EVERY_MS = { healthy: 2000, unhealthy: 250 } as const;
/** Key of the advisory lock replicas take to migrate one at a time ("vodcover" in ASCII). */
const MIGRATION_LOCK = 0x766f64636f766572n;

/** Options of {@link openPostgresCoverStore}. */
export interface PostgresLedgerOptions {
  /** `postgres://user:password@host:port/database` (DATABASE_URL). */
  connectionString: string;
  /**
   * Most connections of this process.
   * @default 10
   */
  poolSize?: number;
  /**
   * Longest a statement may run, in ms (PostgreSQL's `statement_timeout`). The client gives every
   * query this and 1 s more (connection included), then fails it and destroys its connection.
   * @default 5000
   */
  statementTimeoutMs?: number;
  /**
   * Longest wait for a connection, in ms.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * How long a claim on an upload lasts without renewal, in ms; its holder renews it every third of
   * that while its VOD call runs, so a replica that dies frees its claims this long after.
   * @default 5000
   */
  claimLeaseMs?: number;
  /**
   * How long after an answer the same upload still gets that answer instead of a new VOD call, in
   * ms (the same bytes sent to several replicas at once arrive spread over this much). A newer
   * cover of the video ends it at once.
   * @default 5000
   */
  claimReuseMs?: number;
  /**
   * Longest an upload waits for another replica's answer, in ms; then it is refused with canRetry.
   * @default 60000
   */
  claimWaitMs?: number;
  /**
   * How long an Idempotency-Key's answer is kept, in ms.
   * @default 86400000 (a day)
   */
  idempotencyKeyTtlMs?: number;
}

/** The PostgreSQL ledger: a `CoverStore` with `claims`, and a way to check the connection. */
export interface PostgresCoverStore extends CoverStore {
  readonly claims: UploadClaims;
}

/**
 * Connects, brings the schema up to date (versioned files of `migrations/postgres/`, one replica
 * at a time under an advisory lock) and returns the ledger. Rejects when PostgreSQL cannot be
 * reached or a migration fails; the error message never holds the password.
 */
export async function openPostgresCoverStore(options: PostgresLedgerOptions): Promise<PostgresCoverStore> {
  const {
    poolSize = 10,
    statementTimeoutMs = 5000,
    connectTimeoutMs = 5000,
    claimLeaseMs = 5000,
    claimReuseMs = 5000,
    claimWaitMs = 60_000,
    idempotencyKeyTtlMs = IDEMPOTENCY_KEY_TTL_MS,
  } = options;
  const deadlineMs = statementTimeoutMs + DEADLINE_MARGIN_MS;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // The client's own deadline. A query still unanswered then fails, and the pool ends its client,
    // which pg does by destroying the socket of a client whose query is still active: a connection
    // that lost a query is out of step with the server and is never handed out again.
    query_timeout: deadlineMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    application_name: 'vod-cover-gateway',
  });
  const health = createHealth();
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener
  // its error would end the process.
  pool.on('error', () => health.failed(Date.now()));
  /** Every query, within the deadline (waiting for a connection included); its outcome is the database's health (/ready). */
  const query = async <R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    const startedAt = Date.now();
    try {
      const result = await withinDeadline(pool.query<R>(text, values), deadlineMs);
      health.answered();
      return result;
    } catch (error) {
      if (isConnectionError(error)) health.failed(startedAt);
      throw error;
    }
  };
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  // Ask while no upload comes, so that /ready follows the database: every 2 s while it answers,
  // every 250 ms (two at most at once, each on its own deadline) while it does not, so that it is
  // found back within a moment of answering again.
  let pings = 0;
  let lastPingAt = 0;
  const ping = setInterval(() => {
    if (pings >= 2 || Date.now() - lastPingAt < (health.ok() ? PING_EVERY_MS.healthy : PING_EVERY_MS.unhealthy)) return;
    pings++;
    lastPingAt = Date.now();
    void query('SELECT 1')
      .catch(() => undefined)
      .finally(() => pings--);
  }, PING_EVERY_MS.unhealthy);
  ping.unref();
  // Keys past their time to live are looked past at once, and deleted every ten minutes.
  const forgetting = setInterval(() => {
    void query('DELETE FROM upload_keys WHERE kept_at < now() - make_interval(secs => $1::double precision / 1000)', [
      idempotencyKeyTtlMs,
    ]).catch(() => undefined);
  }, 600_000);
  forgetting.unref();

  const replica = randomUUID();
  let claimNumber = 0;
  const claims: UploadClaims = {
    async runOnce<Result>(
      videoFileId: string,
      sha1: string,
      call: () => Promise<ClaimedAnswer<Result>>,
    ): Promise<ClaimOutcome<Result>> {
      const owner = `${replica}:${++claimNumber}`;
      const giveUpAt = Date.now() + claimWaitMs;
      let pause = 10;
      // Once another replica's call is found running, its answer is this caller's, whatever was
      // published for the video since: the claim is only looked at, never taken over, until its
      // lease runs out without an answer. (Claiming on every look took it over when a newer cover
      // ended the answer's reuse between two looks, and the upload was sent and recorded twice.)
      let waiting = false;
      for (;;) {
        if (waiting) {
          const [held] = (await query<{ result: Result | null; lease_expired: boolean }>(LOOK, [videoFileId, sha1]))
            .rows;
          if (held?.result) return { result: held.result, ran: false };
          if (!held || held.lease_expired) waiting = false;
        }
        if (!waiting) {
          const [row] = (
            await query<{ won_by: string | null; result: Result | null }>(CLAIM, [
              videoFileId,
              sha1,
              owner,
              claimLeaseMs,
              claimReuseMs,
            ])
          ).rows;
          if (row?.won_by === owner) return runClaimed(videoFileId, sha1, owner, call);
          // An answer CLAIM did not take over is one it may reuse.
          if (row?.result) return { result: row.result, ran: false };
          waiting = true;
        }
        if (Date.now() > giveUpAt)
          throw new Error(`another replica held the upload of ${videoFileId} for more than ${claimWaitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 100);
      }
    },
  };

  /** Runs the VOD call under the claim (renewing its lease), then publishes its answer and writes its record, in one statement. */
  async function runClaimed<Result>(
    videoFileId: string,
    sha1: string,
    owner: string,
    call: () => Promise<ClaimedAnswer<Result>>,
  ): Promise<ClaimOutcome<Result>> {
    const renew = setInterval(
      () => {
        void query(RENEW, [videoFileId, sha1, owner, claimLeaseMs]).catch(() => undefined);
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
      await query(PUBLISH, [
        videoFileId,
        sha1,
        owner,
        JSON.stringify(result),
        record?.coverFileId ?? null,
        record?.url ?? null,
        record?.size ?? null,
        record?.fileType ?? null,
        record?.uploadedAt ?? null,
        record?.kept?.key ?? null,
        record?.kept ? JSON.stringify(record.kept.result) : null,
      ]);
      return { result, ran: true };
    } catch {
      // The callers here have their answer whatever happens to this write; the record is written
      // again by the caller, and the other replicas take the claim over when its lease runs out.
      return record ? { result, ran: true, unrecorded: record } : { result, ran: true };
    }
  }

  return {
    claims,
    async record(cover) {
      // A record that could not be written with its claim's answer, written again: not when the
      // video's latest record is this one (the claim's statement went through after all).
      await query(
        `WITH kept AS (
           INSERT INTO upload_keys (key, video_file_id, sha1, result)
           SELECT $8, $1, $4, $9::jsonb WHERE $8::text IS NOT NULL
           ON CONFLICT (key) DO NOTHING
         )
         INSERT INTO cover_uploads (video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
          WHERE NOT EXISTS (SELECT 1 FROM (SELECT sha1, cover_file_id FROM cover_uploads
                                            WHERE video_file_id = $1 ORDER BY id DESC LIMIT 1) AS latest
                             WHERE latest.sha1 = $4 AND latest.cover_file_id = $2)`,
        [
          cover.videoFileId,
          cover.coverFileId,
          cover.url,
          cover.sha1,
          cover.size,
          cover.fileType,
          cover.uploadedAt,
          cover.kept?.key ?? null,
          cover.kept ? JSON.stringify(cover.kept.result) : null,
        ],
      );
    },
    idempotencyKeyTtlMs,
    async answerFor(key) {
      const { rows } = await query<{ video_file_id: string; sha1: string; result: unknown }>(
        'SELECT video_file_id, sha1, result FROM upload_keys WHERE key = $1 AND kept_at >= now() - make_interval(secs => $2::double precision / 1000)',
        [key, idempotencyKeyTtlMs],
      );
      const [row] = rows;
      return row ? { key, videoFileId: row.video_file_id, sha1: row.sha1, result: row.result } : undefined;
    },
    async keepAnswer(answer) {
      await query(
        'INSERT INTO upload_keys (key, video_file_id, sha1, result) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (key) DO NOTHING',
        [answer.key, answer.videoFileId, answer.sha1, JSON.stringify(answer.result)],
      );
    },
    async latestCovers(videoFileIds) {
      const covers = new Map<string, CoverRecord>();
      if (videoFileIds.length === 0) return covers;
      // One statement for any number of videos (the DataLoader's batch).
      const { rows } = await query<CoverRow>(
        `SELECT DISTINCT ON (video_file_id) video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at
           FROM cover_uploads
          WHERE video_file_id = ANY($1::text[])
          ORDER BY video_file_id, id DESC`,
        [videoFileIds],
      );
      for (const row of rows) covers.set(row.video_file_id, coverRecordOf(row));
      return covers;
    },
    isWritable() {
      return health.ok();
    },
    onWritableAgain(listener) {
      health.onRecovered(listener);
    },
    async close() {
      clearInterval(ping);
      clearInterval(forgetting);
      await pool.end();
    },
  };
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

/** Applies, in order and each in a transaction, the migration files not yet in schema_migrations. */
async function migrate(pool: pg.Pool): Promise<void> {
  const files = readdirSync(MIGRATIONS)
    .filter((name) => /^\d{3}-.+\.sql$/.test(name))
    .sort();
  const client = await pool.connect();
  try {
    // Replicas starting together: one migrates, the others wait here and then find nothing to do.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      for (const name of files) {
        const version = Number(name.slice(0, 3));
        if (applied.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(new URL(name, MIGRATIONS), 'utf8'));
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    client.release();
  }
}

/**
 * Whether the database answers: the outcome of the latest query, except that a query that started
 * before the latest answer and fails later (lost in a silence that has ended) says nothing new.
 */
function createHealth(): {
  ok(): boolean;
  answered(): void;
  failed(startedAt: number): void;
  onRecovered(listener: () => void): void;
} {
  let healthy = true;
  let lastAnswerAt = 0;
  const listeners: (() => void)[] = [];
  return {
    ok: () => healthy,
    answered() {
      lastAnswerAt = Date.now();
      if (healthy) return;
      healthy = true;
      for (const listener of listeners) listener();
    },
    failed(startedAt) {
      if (startedAt >= lastAnswerAt) healthy = false;
    },
    onRecovered: (listener) => void listeners.push(listener),
  };
}

/** `promise`, or a rejection once `ms` have passed (the promise's own outcome is then ignored). */
function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`PostgreSQL did not answer within ${ms} ms`), { code: 'LEDGER_DEADLINE' })),
      ms,
    );
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Errors that say the database is not answering (as opposed to a bad statement). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  // Node's socket errors, and PostgreSQL's connection exceptions (08…), shutdown (57P…) and timeouts.
  return (
    /^E[A-Z]+$/.test(code) ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    code === '57014' ||
    code === 'LEDGER_DEADLINE'
  );
}
