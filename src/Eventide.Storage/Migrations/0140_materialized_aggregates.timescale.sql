-- eventide:no-transaction
-- Timescale mode: the aggregates are continuous aggregates already. This adds
-- the per-day (site, user) level, hierarchical on users_1h, so distinct users
-- over many days read one row per user and day instead of per hour (its
-- refresh policy is in TimescalePolicies). Real-time aggregation on, as for
-- the others.
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.users_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket,
       site_id, user_id, sum(events)::bigint AS events
FROM eventide.users_1h
GROUP BY 1, 2, 3
WITH NO DATA
---
-- The storing transaction calls this in both modes; only plain mode keeps
-- dirty marks (continuous aggregates track their own invalidations).
CREATE OR REPLACE FUNCTION eventide.mark_aggregates_dirty(site_ids text[], times timestamptz[])
RETURNS void LANGUAGE sql AS $$ SELECT NULL::void $$
