-- eventide:no-transaction
-- Continuous aggregates cannot be created inside a transaction block, so
-- this file runs statement by statement (separated by lines of ---) and
-- each statement is idempotent.
-- Per minute from raw events; per hour and per day built hierarchically on
-- it; per hour (site, user) for unique users over any range. Real-time
-- aggregation is on (materialized_only = false) so answers include events
-- newer than the last refresh.
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.events_1m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket,
       site_id, name, path, count(*) AS events
FROM eventide.events
GROUP BY 1, 2, 3, 4
WITH NO DATA
---
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.events_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket,
       site_id, name, path, sum(events)::bigint AS events
FROM eventide.events_1m
GROUP BY 1, 2, 3, 4
WITH NO DATA
---
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.events_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket,
       site_id, name, path, sum(events)::bigint AS events
FROM eventide.events_1h
GROUP BY 1, 2, 3, 4
WITH NO DATA
---
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.users_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
       site_id, user_id, count(*) AS events
FROM eventide.events
WHERE user_id IS NOT NULL
GROUP BY 1, 2, 3
WITH NO DATA
