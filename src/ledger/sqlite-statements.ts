import type Database from 'better-sqlite3';
import type { CoverRow } from './cover-store.js';

type Statement<Params extends unknown[], Row = unknown> = Database.Statement<Params, Row>;

/** The ledger's SQL, prepared once on a database (named, so that its declaration can be emitted). */
export interface SqliteStatements {
  insert: Statement<[Record<string, unknown>]>;
  latest: Statement<[string], CoverRow>;
  keep: Statement<[string, string, string, string, number]>;
  keptFor: Statement<[string, number], { video_file_id: string; sha1: string; result: string }>;
  forget: Statement<[number]>;
}

/** Prepares the statements the SQLite ledger runs. */
export function prepareStatements(db: Database.Database): SqliteStatements {
  return {
    insert: db.prepare(
      `INSERT INTO cover_uploads (video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at)
       VALUES (@videoFileId, @coverFileId, @url, @sha1, @size, @fileType, @uploadedAt)`,
    ),
    // One statement for any number of videos: the ids travel as one JSON array.
    latest: db.prepare<[string], CoverRow>(
      `SELECT video_file_id, cover_file_id, url, sha1, size, file_type, uploaded_at
         FROM cover_uploads
        WHERE id IN (SELECT MAX(id) FROM cover_uploads
                      WHERE video_file_id IN (SELECT value FROM json_each(?))
                      GROUP BY video_file_id)`,
    ),
    keep: db.prepare<[string, string, string, string, number]>(
      'INSERT OR IGNORE INTO upload_keys (key, video_file_id, sha1, result, kept_at) VALUES (?, ?, ?, ?, ?)',
    ),
    keptFor: db.prepare<[string, number], { video_file_id: string; sha1: string; result: string }>(
      'SELECT video_file_id, sha1, result FROM upload_keys WHERE key = ? AND kept_at >= ?',
    ),
    forget: db.prepare<[number]>('DELETE FROM upload_keys WHERE kept_at < ?'),
  };
}
