import {
  IDEMPOTENCY_KEY_TTL_MS,
  coverRecordOf,
  type CoverRecord,
  type CoverRow,
  type KeptAnswer,
} from './cover-record.js';
import type { CoverStore } from './cover-store.js';
import { createPostgresCallSlots } from './postgres-call-slots.js';
import { createPostgresClaims } from './postgres-claims.js';
import { migrate } from './postgres-migrations.js';
import { openPostgresPool, type PostgresPool, type Query } from './postgres-pool.js';
import type { CallSlots } from '../vod/call-budget.js';
import type { UploadClaims } from './upload-claims.js';

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

/**
 * The PostgreSQL ledger: a `CoverStore` with `claims`, the replicas' single-flight, and
 * `callSlots`, the account's VOD call rate kept by them together.
 */
export interface PostgresCoverStore extends CoverStore {
  readonly claims: UploadClaims;
  readonly callSlots: CallSlots;
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
  const database = openPostgresPool({
    connectionString: options.connectionString,
    poolSize,
    statementTimeoutMs,
    connectTimeoutMs,
  });
  await migrateOrEnd(database);
  const { query } = database;
  // Keys past their time to live are looked past at once, and deleted every ten minutes.
  const forgetting = setInterval(() => void forgetOldAnswers(query, idempotencyKeyTtlMs), 600_000);
  forgetting.unref();
  return {
    claims: createPostgresClaims(query, { claimLeaseMs, claimReuseMs, claimWaitMs }),
    callSlots: createPostgresCallSlots(query),
    record: (cover) => recordCover(query, cover),
    idempotencyKeyTtlMs,
    answerFor: (key) => answerFor(query, key, idempotencyKeyTtlMs),
    keepAnswer: (answer) => keepAnswer(query, answer),
    latestCovers: (videoFileIds) => latestCovers(query, videoFileIds),
    isWritable: () => database.answering(),
    onWritableAgain: (listener) => database.onAnsweringAgain(listener),
    async close() {
      clearInterval(forgetting);
      await database.end();
    },
  };
}

/** Brings the schema up to date; a failure ends the pool before it is thrown. */
async function migrateOrEnd(database: PostgresPool): Promise<void> {
  try {
    await migrate(database.pool);
  } catch (error) {
    await database.end().catch(() => undefined);
    throw error;
  }
}

async function forgetOldAnswers(query: Query, idempotencyKeyTtlMs: number): Promise<void> {
  await query('DELETE FROM upload_keys WHERE kept_at < now() - make_interval(secs => $1::double precision / 1000)', [
    idempotencyKeyTtlMs,
  ]).catch(() => undefined);
}

async function recordCover(query: Query, cover: CoverRecord): Promise<void> {
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
}

async function answerFor(query: Query, key: string, idempotencyKeyTtlMs: number): Promise<KeptAnswer | undefined> {
  const { rows } = await query<{ video_file_id: string; sha1: string; result: unknown }>(
    'SELECT video_file_id, sha1, result FROM upload_keys WHERE key = $1 AND kept_at >= now() - make_interval(secs => $2::double precision / 1000)',
    [key, idempotencyKeyTtlMs],
  );
  const [row] = rows;
  return row ? { key, videoFileId: row.video_file_id, sha1: row.sha1, result: row.result } : undefined;
}

async function keepAnswer(query: Query, answer: KeptAnswer): Promise<void> {
  await query(
    'INSERT INTO upload_keys (key, video_file_id, sha1, result) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (key) DO NOTHING',
    [answer.key, answer.videoFileId, answer.sha1, JSON.stringify(answer.result)],
  );
}

async function latestCovers(query: Query, videoFileIds: readonly string[]): Promise<Map<string, CoverRecord>> {
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
}
