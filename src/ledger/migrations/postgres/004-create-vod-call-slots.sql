-- The turns of the account's VOD call rate, shared by the replicas: each call's slot, in the order
-- handed out (id), with its time (planned, then when the call was really sent). A call's turn is
-- one second (plus slack) after the time of the call `per_second` before it, so that no second
-- holds more calls than the rate. Slots pass with time: a replica that dies holding some frees them
-- within a second of their time.
CREATE TABLE vod_call_slots (
  id BIGSERIAL   PRIMARY KEY,
  at TIMESTAMPTZ NOT NULL
);

-- When the slot `per_second` before slot `slot_id` lets it go (-infinity when there is none).
CREATE FUNCTION vod_call_slot_allowed_at(slot_id BIGINT, per_second INTEGER, slack_ms INTEGER)
RETURNS TIMESTAMPTZ LANGUAGE sql STABLE AS $$
  SELECT COALESCE(
    (SELECT at FROM vod_call_slots WHERE id < slot_id ORDER BY id DESC OFFSET per_second - 1 LIMIT 1)
      + interval '1 second' + slack_ms * interval '1 millisecond',
    '-infinity'::timestamptz)
$$;

-- Reserves the next slot: its id, and how long from now (the database's clock, which every
-- replica shares) it waits, in ms. One replica at a time (a transaction-scoped advisory lock), so
-- slots are handed out in order.
CREATE FUNCTION vod_reserve_call_slot(per_second INTEGER, slack_ms INTEGER, OUT slot_id BIGINT, OUT wait_ms DOUBLE PRECISION)
LANGUAGE plpgsql AS $$
DECLARE
  now_at TIMESTAMPTZ;
  planned TIMESTAMPTZ;
BEGIN
  PERFORM pg_advisory_xact_lock(8516047263);
  now_at := clock_timestamp();
  INSERT INTO vod_call_slots (at) VALUES (now_at) RETURNING id INTO slot_id;
  planned := GREATEST(now_at, vod_call_slot_allowed_at(slot_id, per_second, slack_ms));
  UPDATE vod_call_slots SET at = planned WHERE id = slot_id;
  -- Slots two seconds past bound no slot still to go; the last per_second stay whatever their age.
  DELETE FROM vod_call_slots WHERE at < now_at - interval '2 seconds' AND id <= slot_id - per_second;
  wait_ms := EXTRACT(EPOCH FROM (planned - now_at)) * 1000;
END;
$$;
