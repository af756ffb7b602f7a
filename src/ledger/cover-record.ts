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
  /** The client's Idempotency-Key and the answer it got, kept with the record (see {@link KeptAnswer}). */
  kept?: { key: string; result: unknown };
}

/** An upload's answer kept under the client's Idempotency-Key, for `IDEMPOTENCY_KEY_TTL_MS`. */
export interface KeptAnswer {
  key: string;
  videoFileId: string;
  sha1: string;
  /** The answer the upload got (a success), as JSON gives it back. */
  result: unknown;
}

/** How long an Idempotency-Key's answer is kept: a day, as the Idempotency-Key draft's examples and most APIs do. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

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
