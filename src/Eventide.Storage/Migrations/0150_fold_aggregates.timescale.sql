-- eventide:no-transaction
-- Timescale mode: continuous aggregates maintain themselves, so the storing
-- transaction's fold (plain mode's incremental maintenance) is a no-op here;
-- the processor does not call it in this mode, and it exists so that both
-- modes have the same functions. name_users_1d, distinct users per (site,
-- name, day) for goal conversion, is a continuous aggregate on raw events
-- (there is no per-hour level of it to build on); its refresh policy is in
-- TimescalePolicies. Real-time aggregation on, as for the others.
CREATE MATERIALIZED VIEW IF NOT EXISTS eventide.name_users_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', time) AS bucket,
       site_id, name, user_id, count(*) AS events
FROM eventide.events
WHERE user_id IS NOT NULL
GROUP BY 1, 2, 3, 4
WITH NO DATA
---
CREATE OR REPLACE FUNCTION eventide.fold_aggregates(
    m_sites text[], m_minutes timestamptz[], m_names text[], m_paths text[], m_events bigint[],
    u_sites text[], u_hours timestamptz[], u_users text[], u_events bigint[],
    n_sites text[], n_days timestamptz[], n_names text[], n_users text[], n_events bigint[])
RETURNS void LANGUAGE sql AS $$ SELECT NULL::void $$
