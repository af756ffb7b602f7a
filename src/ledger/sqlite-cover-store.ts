import type Database from 'better-sqlite3';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  coverRecordOf,
  type CoverRecord,
  type CoverStore,
  type KeptAnswer,
} from './cover-store.js';
import { openSqliteDatabase, stillOpenedFileCheck } from './sqlite-database.js';
import { prepareStatements, type SqliteStatements } from './sqlite-statements.js';

/** An open SQLite ledger and the records waiting for this turn's commit. */
interface SqliteLedger {
  readonly file: string;
  readonly db: Database.Database;
  readonly sql: SqliteStatements;
  readonly idempotencyKeyTtlMs: number;
  readonly isStillOpenedFile: () => boolean;
  /** Inserts covers (and their kept answers) in one transaction. */
  readonly insertAll: (covers: readonly CoverRecord[]) => void;
  batch: { cover: CoverRecord; done: (error?: unknown) => void }[];
}

/**
 * Opens (creating it and its folder if needed) the SQLite ledger at `file`, or an in-memory one
 * for `':memory:'`, and brings its schema up to date with the versioned files of `migrations/`.
 * A record is committed when `record` resolves (WAL, synchronous=NORMAL: see `sqlite-database.ts`);
 * the records of one event-loop turn share one transaction.
 */
export function openSqliteCoverStore(file: string, options: { idempotencyKeyTtlMs?: number } = {}): CoverStore {
  const { idempotencyKeyTtlMs = IDEMPOTENCY_KEY_TTL_MS } = options;
  const db = openSqliteDatabase(file);
  const sql = prepareStatements(db);
  const ledger: SqliteLedger = {
    file,
    db,
    sql,
    idempotencyKeyTtlMs,
    isStillOpenedFile: stillOpenedFileCheck(file),
    insertAll: db.transaction((covers: readonly CoverRecord[]) => insertCovers(sql, covers)),
    batch: [],
  };
  // Keys past their time to live are looked past at once, and deleted every ten minutes.
  const forgetting = setInterval(() => sql.forget.run(Date.now() - idempotencyKeyTtlMs), 600_000);
  forgetting.unref();
  return {
    record: (cover) => recordInBatch(ledger, cover),
    latestCovers: async (videoFileIds) => latestCovers(sql, videoFileIds),
    isWritable: () => db.open && !db.readonly && ledger.isStillOpenedFile(),
    idempotencyKeyTtlMs,
    answerFor: async (key) => answerFor(ledger, key),
    keepAnswer: async (answer) => keepAnswer(sql, answer),
    close() {
      clearInterval(forgetting);
      if (ledger.batch.length > 0) commit(ledger);
      db.close();
    },
  };
}

// Group commit: the records of one turn of the event loop go in one transaction (one WAL commit,
// one check of the file), so concurrent uploads share the cost of a commit. A record's kept
// answer goes in the same transaction.
function recordInBatch(ledger: SqliteLedger, cover: CoverRecord): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (ledger.batch.length === 0) setImmediate(() => commit(ledger));
    ledger.batch.push({ cover, done: (error) => (error === undefined ? resolve() : reject(error)) });
  });
}

function commit(ledger: SqliteLedger): void {
  const committing = ledger.batch;
  if (committing.length === 0) return;
  ledger.batch = [];
  let failure: unknown;
  try {
    if (!ledger.isStillOpenedFile())
      throw new Error(`the ledger file ${ledger.file} is no longer the one opened (deleted or replaced)`);
    ledger.insertAll(committing.map((entry) => entry.cover));
  } catch (error) {
    failure = error;
  }
  for (const entry of committing) entry.done(failure);
}

function insertCovers(sql: SqliteStatements, covers: readonly CoverRecord[]): void {
  for (const { kept, ...cover } of covers) {
    sql.insert.run({ ...cover, uploadedAt: cover.uploadedAt.getTime() });
    if (kept) keepAnswer(sql, { key: kept.key, videoFileId: cover.videoFileId, sha1: cover.sha1, result: kept.result });
  }
}

function keepAnswer(sql: SqliteStatements, answer: KeptAnswer): void {
  sql.keep.run(answer.key, answer.videoFileId, answer.sha1, JSON.stringify(answer.result), Date.now());
}

function latestCovers(sql: SqliteStatements, videoFileIds: readonly string[]): Map<string, CoverRecord> {
  const covers = new Map<string, CoverRecord>();
  if (videoFileIds.length === 0) return covers;
  for (const row of sql.latest.all(JSON.stringify(videoFileIds))) covers.set(row.video_file_id, coverRecordOf(row));
  return covers;
}

function answerFor(ledger: SqliteLedger, key: string): KeptAnswer | undefined {
  const row = ledger.sql.keptFor.get(key, Date.now() - ledger.idempotencyKeyTtlMs);
  return row
    ? { key, videoFileId: row.video_file_id, sha1: row.sha1, result: JSON.parse(row.result) as unknown }
    : undefined;
}
