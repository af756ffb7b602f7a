-- Every successful upload, in the order it happened. A video's cover is its latest row.
CREATE TABLE cover_uploads (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  video_file_id   TEXT    NOT NULL,
  cover_file_id   TEXT    NOT NULL,  -- VOD's numeric string; above 2^53, so never an INTEGER
  url             TEXT    NOT NULL,
  sha1            TEXT    NOT NULL,  -- 40 lower-case hex characters
  size            INTEGER NOT NULL,  -- bytes
  file_type       TEXT    NOT NULL,  -- jpg, png, …
  uploaded_at     INTEGER NOT NULL   -- ms since the epoch, UTC
);

CREATE INDEX cover_uploads_by_video ON cover_uploads (video_file_id, id);
