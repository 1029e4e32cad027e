-- Plain PostgreSQL: the aggregates are views with the same names and
-- columns as the continuous aggregates of Timescale mode. date_bin with a
-- midnight-UTC origin buckets exactly as time_bucket does for these widths.
CREATE VIEW eventide.events_1m AS
SELECT date_bin(INTERVAL '1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       site_id, name, path, count(*)::bigint AS events
FROM eventide.events
GROUP BY 1, 2, 3, 4;

CREATE VIEW eventide.events_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       site_id, name, path, count(*)::bigint AS events
FROM eventide.events
GROUP BY 1, 2, 3, 4;

CREATE VIEW eventide.events_1d AS
SELECT date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       site_id, name, path, count(*)::bigint AS events
FROM eventide.events
GROUP BY 1, 2, 3, 4;

CREATE VIEW eventide.users_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       site_id, user_id, count(*)::bigint AS events
FROM eventide.events
WHERE user_id IS NOT NULL
GROUP BY 1, 2, 3;
