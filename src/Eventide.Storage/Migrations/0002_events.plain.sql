-- Plain PostgreSQL: the events table is natively partitioned by day. The
-- processor creates the partitions a batch needs with
-- eventide.ensure_events_partitions before inserting.
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
) PARTITION BY RANGE (time);
CREATE UNIQUE INDEX events_site_event_time ON eventide.events (site_id, event_id, time);
CREATE INDEX events_site_time ON eventide.events (site_id, time DESC);

CREATE FUNCTION eventide.ensure_events_partitions(from_day date, to_day date)
RETURNS void LANGUAGE sql AS $$
    SELECT eventide.ensure_daily_partitions('events', from_day, to_day)
$$;
