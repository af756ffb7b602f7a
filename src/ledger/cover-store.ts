import type { UploadClaims } from './upload-claims.js';

/** One successful upload, as the ledger keeps it. */
export interface CoverRecord {
  videoFileId: string;
  /** The cover's VOD fileId. */
  coverFileId: string;
  url: string;
  sha1: string;
  size: number;
  fileType: string;
  uploadedAt: Date;
}

/** A `cover_uploads` row as both stores read it (SQLite keeps `uploaded_at` as ms, PostgreSQL as a timestamptz). */
export interface CoverRow {
  video_file_id: string;
  cover_file_id: string;
  url: string;
  sha1: string;
  size: number;
  file_type: string;
  uploaded_at: number | Date;
}

/** The record a row holds. */
export function coverRecordOf(row: CoverRow): CoverRecord {
  return {
    videoFileId: row.video_file_id,
    coverFileId: row.cover_file_id,
    url: row.url,
    sha1: row.sha1,
    size: row.size,
    fileType: row.file_type,
    uploadedAt: new Date(row.uploaded_at),
  };
}

/**
 * The cover ledger: every successful upload is recorded; a video's cover is its latest record.
 * The embedded implementation is SQLite (`openSqliteCoverStore`).
 */
export interface CoverStore {
  /** Records one successful upload; committed when it returns (it survives the process crashing). */
  record(cover: CoverRecord): Promise<void>;
  /** The latest cover of each of these videos, in one query. Videos without one are absent. */
  latestCovers(videoFileIds: readonly string[]): Promise<Map<string, CoverRecord>>;
  /** Whether a write would succeed now (for readiness checks). */
  isWritable(): boolean;
  /** Calls `listener` each time the store takes writes again after it did not (held records are then written at once). */
  onWritableAgain?(listener: () => void): void;
  /** Present when replicas share this store: their single-flight (see `UploadClaims`). */
  readonly claims?: UploadClaims;
  close(): void | Promise<void>;
}
