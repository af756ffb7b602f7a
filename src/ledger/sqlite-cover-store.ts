import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  IDEMPOTENCY_KEY_TTL_MS,
  coverRecordOf,
  type CoverRecord,
  type CoverRow,
  type CoverStore,
  type KeptAnswer,
} from './cover-store.js';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Opens (creating it and its folder if needed) the SQLite ledger at `file`, or an in-memory one
 * for `':memory:'`, and brings its schema up to date with the versioned files of `migrations/`.
 * A record is committed when `record` resolves (WAL, synchronous=NORMAL: see below); the records
 * of one event-loop turn share one transaction.
 */
export function openSqliteCoverStore(file: string, options: { idempotencyKeyTtlMs?: number } = {}): CoverStore {
  const { idempotencyKeyTtlMs = IDEMPOTENCY_KEY_TTL_MS } = options;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL commits without an fsync each: a committed record survives the process
  // crashing (it is in the OS), and only a power loss can drop the last ones, never corrupt the file.
  // FULL would fsync on the event loop for every upload (measured: 64 KiB uploads/s −35%).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // The file this connection writes to. If the path stops naming it (the file or DATA_DIR deleted,
  // the file replaced), SQLite would go on writing to the orphan, silently lost at the next start.
  const opened = file === ':memory:' ? undefined : statSync(file);
  const isStillOpenedFile = (): boolean => {
    if (!opened) return true;
    try {
      const now = statSync(file);
      return now.ino === opened.ino && now.dev === opened.dev;
    } catch {
      return false;
    }
  };

  const insert = db.prepare(
    `INSERT INTO cover_uploads (video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at)
     VALUES (@videoFileId, @coverFileId, @url, @sha1, @size, @fileType, @uploadedAt)`,
  );
  // One statement for any number of videos: the ids travel as one JSON array.
  const latest = db.prepare<[string], CoverRow>(
    `SELECT video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at
       FROM cover_uploads
      WHERE id IN (SELECT MAX(id) FROM cover_uploads
                    WHERE video_file_id IN (SELECT value FROM json_each(?))
                    GROUP BY video_file_id)`,
  );

  const keep = db.prepare<[string, string, string, string, number]>(
    'INSERT OR IGNORE INTO upload_keys (key, video_file_id, sha1, result, kept_at) VALUES (?, ?, ?, ?, ?)',
  );
  const keptFor = db.prepare<[string, number], { video_file_id: string; sha1: string; result: string }>(
    'SELECT video_file_id, sha1, result FROM upload_keys WHERE key = ? AND kept_at >= ?',
  );
  const forget = db.prepare<[number]>('DELETE FROM upload_keys WHERE kept_at < ?');
  const keepNow = (answer: KeptAnswer): void =>
    void keep.run(answer.key, answer.videoFileId, answer.sha1, JSON.stringify(answer.result), Date.now());
  // Keys past their time to live are looked past at once, and deleted every ten minutes.
  const forgetting = setInterval(() => forget.run(Date.now() - idempotencyKeyTtlMs), 600_000);
  forgetting.unref();

  // Group commit: the records of one turn of the event loop go in one transaction (one WAL commit,
  // one check of the file), so concurrent uploads share the cost of a commit. A record's kept
  // answer goes in the same transaction.
  let batch: { cover: CoverRecord; done: (error?: unknown) => void }[] = [];
  const insertAll = db.transaction((covers: readonly CoverRecord[]) => {
    for (const { kept, ...cover } of covers) {
      insert.run({ ...cover, uploadedAt: cover.uploadedAt.getTime() });
      if (kept) keepNow({ key: kept.key, videoFileId: cover.videoFileId, sha1: cover.sha1, result: kept.result });
    }
  });
  const commit = (): void => {
    const committing = batch;
    if (committing.length === 0) return;
    batch = [];
    let failure: unknown;
    try {
      if (!isStillOpenedFile())
        throw new Error(`the ledger file ${file} is no longer the one opened (deleted or replaced)`);
      insertAll(committing.map((entry) => entry.cover));
    } catch (error) {
      failure = error;
    }
    for (const entry of committing) entry.done(failure);
  };

  return {
    record(cover) {
      return new Promise<void>((resolve, reject) => {
        if (batch.length === 0) setImmediate(commit);
        batch.push({ cover, done: (error) => (error === undefined ? resolve() : reject(error)) });
      });
    },
    async latestCovers(videoFileIds) {
      const covers = new Map<string, CoverRecord>();
      if (videoFileIds.length === 0) return covers;
      for (const row of latest.all(JSON.stringify(videoFileIds))) covers.set(row.video_file_id, coverRecordOf(row));
      return covers;
    },
    isWritable() {
      return db.open && !db.readonly && isStillOpenedFile();
    },
    idempotencyKeyTtlMs,
    async answerFor(key) {
      const row = keptFor.get(key, Date.now() - idempotencyKeyTtlMs);
      return row
        ? { key, videoFileId: row.video_file_id, sha1: row.sha1, result: JSON.parse(row.result) as unknown }
        : undefined;
    },
    async keepAnswer(answer) {
      keepNow(answer);
    },
    close() {
      clearInterval(forgetting);
      if (batch.length > 0) commit();
      db.close();
    },
  };
}

/** Applies, in order and each in a transaction, the migration files newer than `user_version`. */
function migrate(db: Database.Database): void {
  const files = readdirSync(MIGRATIONS)
    .filter((name) => /^\d{3}-.+\.sql$/.test(name))
    .sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const name of files) {
    const version = Number(name.slice(0, 3));
    if (version <= current) continue;
    const sql = readFileSync(new URL(name, MIGRATIONS), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
