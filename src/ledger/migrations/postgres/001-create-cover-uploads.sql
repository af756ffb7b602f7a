-- Every successful upload, in the order it happened. A video's cover is its latest row.
CREATE TABLE cover_uploads (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  video_file_id   TEXT        NOT NULL,
  cover_file_id   TEXT        NOT NULL,  -- VOD's numeric string; above 2^53, so never a number here
  url             TEXT        NOT NULL,
  sha1            CHAR(40)    NOT NULL,  -- lower-case hex
  size            INTEGER     NOT NULL,  -- bytes
  file_type       TEXT        NOT NULL,  -- jpg, png, …
  uploaded_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX cover_uploads_by_video ON cover_uploads (video_file_id, id DESC);
