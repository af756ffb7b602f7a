-- The answer of each upload sent with an Idempotency-Key, for a day: the client's retry of that
-- upload gets it again, on any replica, instead of a new VOD call, even after a newer cover.
CREATE TABLE upload_keys (
  key             TEXT        PRIMARY KEY,
  video_file_id   TEXT        NOT NULL,
  sha1            CHAR(40)    NOT NULL,
  result          JSONB       NOT NULL,
  kept_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX upload_keys_by_age ON upload_keys (kept_at);
