-- The answer of each upload sent with an Idempotency-Key, for a day: the client's retry of that
-- upload gets it again instead of a new VOD call, even after a newer cover of the video.
CREATE TABLE upload_keys (
  key             TEXT    PRIMARY KEY,
  video_file_id   TEXT    NOT NULL,
  sha1            TEXT    NOT NULL,
  result          TEXT    NOT NULL,  -- the answer, JSON
  kept_at         INTEGER NOT NULL   -- ms since the epoch, UTC
);

CREATE INDEX upload_keys_by_age ON upload_keys (kept_at);
