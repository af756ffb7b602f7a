-- One row per (video, bytes) being sent to VOD, or sent a moment ago: replicas that get the same
-- upload at once make one VOD call. The holder renews lease_until while its call runs; a claim
-- whose lease ran out (its replica died) is taken over. result holds the answer every caller gets.
CREATE TABLE upload_claims (
  video_file_id   TEXT        NOT NULL,
  sha1            CHAR(40)    NOT NULL,
  owner           TEXT        NOT NULL,  -- replica id and a per-claim number
  lease_until     TIMESTAMPTZ NOT NULL,
  result          JSONB,                 -- null while the call runs
  done_at         TIMESTAMPTZ,
  PRIMARY KEY (video_file_id, sha1)
);
