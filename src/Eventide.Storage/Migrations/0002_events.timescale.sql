-- TimescaleDB: the events table is a hypertable with one-day chunks,
-- compressed segmented by site. Chunks are created by TimescaleDB itself,
-- so ensure_events_partitions does nothing here; it exists so the
-- processor runs the same statements in both modes.
CREATE TABLE eventide.events (
    time        timestamptz NOT NULL,
    site_id     text NOT NULL,
    event_id    text NOT NULL,
    name        text NOT NULL,
    path        text,
    referrer    text,
    user_id     text,
    session_id  text,
    properties  jsonb,
    received_at timestamptz NOT NULL
);
SELECT create_hypertable('eventide.events', 'time', chunk_time_interval => INTERVAL '1 day');
CREATE UNIQUE INDEX events_site_event_time ON eventide.events (site_id, event_id, time);
CREATE INDEX events_site_time ON eventide.events (site_id, time DESC);
ALTER TABLE eventide.events SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'site_id',
    timescaledb.compress_orderby = 'time DESC');

CREATE FUNCTION eventide.ensure_events_partitions(from_day date, to_day date)
RETURNS void LANGUAGE sql AS $$ SELECT $$;
