import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const MIGRATIONS = new URL('./migrations/', import.meta.url);

/**
 * Opens (creating it and its folder if needed) the SQLite database at `file`, or an in-memory one
 * for `':memory:'`, and brings its schema up to date with the versioned files of `migrations/`.
 */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL commits without an fsync each: a committed record survives the process
  // crashing (it is in the OS), and only a power loss can drop the last ones, never corrupt the file.
  // FULL would fsync on the event loop for every upload (measured: 64 KiB uploads/s −35%).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/**
 * Whether the path still names the file opened now. If it stops naming it (the file or DATA_DIR
 * deleted, the file replaced), SQLite would go on writing to the orphan, silently lost at the next start.
 */
export function stillOpenedFileCheck(file: string): () => boolean {
  const opened = file === ':memory:' ? undefined : statSync(file);
  return () => {
    if (!opened) return true;
    try {
      const now = statSync(file);
      return now.ino === opened.ino && now.dev === opened.dev;
    } catch {
      return false;
    }
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
