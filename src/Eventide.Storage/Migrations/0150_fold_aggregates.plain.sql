-- Plain PostgreSQL: the processor folds what it stores into the materialized
-- aggregates (migration 0140) in its storing transaction, so the refresher has
-- nothing to do for processor-written events; and a per-day (site, name, user)
-- aggregate for goal conversion (distinct users who sent one name).
--
-- Until now the storing transaction marked its hours dirty and the refresher
-- recomputed them from raw events: 24 % of database time under sustained load
-- in the benchmark, a busy current hour recomputed again and again. Now the
-- storing transaction adds its events to the _mat rows as deltas
-- (eventide.fold_aggregates). Other writers (loaders, tests, the initial fill)
-- still insert events and call eventide.mark_aggregates_dirty; the refresher
-- serves their hours as before.
--
-- Why an answer stays exact at every moment (all transactions READ COMMITTED):
--
-- (1) Who writes what. The hour-level rows (events_1m/1h, users_1h) of a
--     (site, hour) are written by the refresher (delete and recompute from
--     raw, while the hour is dirty, clearing the mark in the same commit) and
--     by folds (deltas, only while the hour is clean). The day-level rows
--     (events_1d, users_1d, name_users_1d) by the refresher (recomputed for
--     every day holding an hour it refreshes) and by every fold.
--
-- (2) The fold and the refresher never overlap on a site. A fold runs only in
--     the processor's storing transaction, which holds the shard's consumer
--     lock (pg_advisory_xact_lock(ShardConsumers, shard)) from its first
--     statement to its commit, and a site belongs to one shard. The refresher
--     takes the consumer locks of the shards of every site it will refresh
--     (sorted, before touching any row), and only then reads the marks'
--     versions and recomputes. So every fold of those sites has committed
--     before the refresher's statements take their snapshots, and none starts
--     until it commits. (The same lock, not one per site: a batch spanning a
--     thousand sites would take a thousand locks and could exhaust the shared
--     lock table, while this one the transaction holds anyway.) Two folds of
--     one site never overlap either: they share the shard lock.
--
-- (3) A fold into a dirty hour skips the hour-level delta, work the hour's
--     recompute would throw away. The hour stays dirty, so the views read it
--     raw (which counts the fold's events once it commits), and it turns
--     clean only when a refresh clears its mark; by (2) that refresh read raw
--     after the fold committed, so its recompute includes the fold's events.
--     The fold leaves the mark alone: no row lock to order against direct
--     markers, and marked_at stays the direct writer's settle clock (bumping
--     it on every batch would keep a busy hour dirty, and read raw, until
--     the refresher's maximum age).
-- (4) A fold into a clean hour adds its deltas. If a direct writer marks the
--     hour while the fold runs (the fold did not see the uncommitted mark),
--     the hour is dirty from that writer's commit on and read raw; the
--     refresher recomputes it, after the fold by (2). If no one marks it, its
--     rows were exact before the fold and are exact after it, committed
--     atomically with the events.
--
-- (5) Day rows take every fold's delta, dirty hour or not: a day's
--     materialized rows are read only while none of its hours is dirty, and
--     every mark in a day is cleared by a refresh that recomputes that day's
--     rows in the same commit (from the exact hour rows, or for name_users_1d
--     from raw events). So a delta into a day that is dirty is overwritten
--     before anyone reads it, and one into a clean day keeps it exact.
--
-- Rows are upserted in key order (COLLATE "C"), so should two transactions
-- ever fold the same rows they take the row locks in the same order.

-- The fold's upserts need unique keys. They replace the (site_id, bucket)
-- indexes, which they extend. Path is nullable and NULL is one path here.
CREATE UNIQUE INDEX events_1m_mat_key ON eventide.events_1m_mat (site_id, bucket, name, path) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX events_1h_mat_key ON eventide.events_1h_mat (site_id, bucket, name, path) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX events_1d_mat_key ON eventide.events_1d_mat (site_id, bucket, name, path) NULLS NOT DISTINCT;
DROP INDEX eventide.events_1m_mat_site_bucket, eventide.events_1h_mat_site_bucket, eventide.events_1d_mat_site_bucket;
CREATE UNIQUE INDEX users_1h_mat_key ON eventide.users_1h_mat (site_id, bucket, user_id);
CREATE UNIQUE INDEX users_1d_mat_key ON eventide.users_1d_mat (site_id, bucket, user_id);
DROP INDEX eventide.users_1h_mat_site_bucket, eventide.users_1d_mat_site_bucket;

-- Distinct users who sent a name, per day: a goal's converted users over 30
-- days read the goal's rows only (name before bucket in the key).
CREATE TABLE eventide.name_users_1d_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, name text NOT NULL, user_id text NOT NULL, events bigint NOT NULL);
CREATE UNIQUE INDEX name_users_1d_mat_key ON eventide.name_users_1d_mat (site_id, name, bucket, user_id);

-- The storing transaction's deltas, pre-aggregated by the caller: per (site,
-- minute, name, path) event counts (m_*), per (site, hour, user) (u_*), per
-- (site, day, name, user) (n_*), each key once. The caller must hold the
-- consumer lock of the shard of every site in them (see (2) above).
CREATE FUNCTION eventide.fold_aggregates(
    m_sites text[], m_minutes timestamptz[], m_names text[], m_paths text[], m_events bigint[],
    u_sites text[], u_hours timestamptz[], u_users text[], u_events bigint[],
    n_sites text[], n_days timestamptz[], n_names text[], n_users text[], n_events bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ds text[];
    dh timestamptz[];
BEGIN
    -- The hours already dirty (3): read, not locked or bumped.
    SELECT array_agg(d.site_id), array_agg(d.hour) INTO ds, dh
    FROM (SELECT DISTINCT x.s, date_bin(INTERVAL '1 hour', x.m, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS h
          FROM unnest(m_sites, m_minutes) AS x(s, m)) hours
    JOIN eventide.aggregate_dirty d ON d.site_id = hours.s AND d.hour = hours.h;

    INSERT INTO eventide.events_1m_mat AS t (bucket, site_id, name, path, events)
    SELECT x.m, x.s, x.n, x.p, x.c FROM unnest(m_sites, m_minutes, m_names, m_paths, m_events) AS x(s, m, n, p, c)
    WHERE NOT EXISTS (SELECT 1 FROM unnest(ds, dh) AS d(s, h)
                      WHERE d.s = x.s AND d.h = date_bin(INTERVAL '1 hour', x.m, TIMESTAMPTZ '2000-01-01 00:00:00+00'))
    ORDER BY x.s COLLATE "C", x.m, x.n COLLATE "C", x.p COLLATE "C"
    ON CONFLICT (site_id, bucket, name, path) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO eventide.events_1h_mat AS t (bucket, site_id, name, path, events)
    SELECT x.h, x.s, x.n, x.p, sum(x.c)::bigint
    FROM (SELECT y.s, date_bin(INTERVAL '1 hour', y.m, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS h, y.n, y.p, y.c
          FROM unnest(m_sites, m_minutes, m_names, m_paths, m_events) AS y(s, m, n, p, c)) x
    WHERE NOT EXISTS (SELECT 1 FROM unnest(ds, dh) AS d(s, h) WHERE d.s = x.s AND d.h = x.h)
    GROUP BY x.s, x.h, x.n, x.p
    ORDER BY x.s COLLATE "C", x.h, x.n COLLATE "C", x.p COLLATE "C"
    ON CONFLICT (site_id, bucket, name, path) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO eventide.events_1d_mat AS t (bucket, site_id, name, path, events)
    SELECT x.d, x.s, x.n, x.p, sum(x.c)::bigint
    FROM (SELECT y.s, date_bin(INTERVAL '1 day', y.m, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d, y.n, y.p, y.c
          FROM unnest(m_sites, m_minutes, m_names, m_paths, m_events) AS y(s, m, n, p, c)) x
    GROUP BY x.s, x.d, x.n, x.p
    ORDER BY x.s COLLATE "C", x.d, x.n COLLATE "C", x.p COLLATE "C"
    ON CONFLICT (site_id, bucket, name, path) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO eventide.users_1h_mat AS t (bucket, site_id, user_id, events)
    SELECT x.h, x.s, x.u, x.c FROM unnest(u_sites, u_hours, u_users, u_events) AS x(s, h, u, c)
    WHERE NOT EXISTS (SELECT 1 FROM unnest(ds, dh) AS d(s, h) WHERE d.s = x.s AND d.h = x.h)
    ORDER BY x.s COLLATE "C", x.h, x.u COLLATE "C"
    ON CONFLICT (site_id, bucket, user_id) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO eventide.users_1d_mat AS t (bucket, site_id, user_id, events)
    SELECT x.d, x.s, x.u, sum(x.c)::bigint
    FROM (SELECT y.s, date_bin(INTERVAL '1 day', y.h, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d, y.u, y.c
          FROM unnest(u_sites, u_hours, u_users, u_events) AS y(s, h, u, c)) x
    GROUP BY x.s, x.d, x.u
    ORDER BY x.s COLLATE "C", x.d, x.u COLLATE "C"
    ON CONFLICT (site_id, bucket, user_id) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO eventide.name_users_1d_mat AS t (bucket, site_id, name, user_id, events)
    SELECT x.d, x.s, x.n, x.u, x.c FROM unnest(n_sites, n_days, n_names, n_users, n_events) AS x(s, d, n, u, c)
    ORDER BY x.s COLLATE "C", x.n COLLATE "C", x.d, x.u COLLATE "C"
    ON CONFLICT (site_id, name, bucket, user_id) DO UPDATE SET events = t.events + excluded.events;
END $$;

-- As in 0140, and name_users_1d for every day holding a refreshed hour, from
-- raw events (it has no hour level). The caller holds the refresher's
-- advisory lock and the consumer locks of the sites' shards (see above).
CREATE OR REPLACE FUNCTION eventide.refresh_aggregate_hours(site_ids text[], hours timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s text;
    h timestamptz;
    d timestamptz;
BEGIN
    FOR s, h IN SELECT DISTINCT x.s, x.h FROM unnest(site_ids, hours) AS x(s, h) LOOP
        DELETE FROM eventide.events_1m_mat WHERE site_id = s AND bucket >= h AND bucket < h + INTERVAL '1 hour';
        DELETE FROM eventide.events_1h_mat WHERE site_id = s AND bucket = h;
        DELETE FROM eventide.users_1h_mat WHERE site_id = s AND bucket = h;
        INSERT INTO eventide.events_1m_mat (bucket, site_id, name, path, events)
        SELECT date_bin(INTERVAL '1 minute', e.time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), s, e.name, e.path, count(*)::bigint
        FROM eventide.events e
        WHERE e.site_id = s AND e.time >= h AND e.time < h + INTERVAL '1 hour'
        GROUP BY 1, 3, 4;
        INSERT INTO eventide.events_1h_mat (bucket, site_id, name, path, events)
        SELECT h, s, m.name, m.path, sum(m.events)::bigint
        FROM eventide.events_1m_mat m
        WHERE m.site_id = s AND m.bucket >= h AND m.bucket < h + INTERVAL '1 hour'
        GROUP BY m.name, m.path;
        INSERT INTO eventide.users_1h_mat (bucket, site_id, user_id, events)
        SELECT h, s, e.user_id, count(*)::bigint
        FROM eventide.events e
        WHERE e.site_id = s AND e.time >= h AND e.time < h + INTERVAL '1 hour' AND e.user_id IS NOT NULL
        GROUP BY e.user_id;
    END LOOP;

    FOR s, d IN SELECT DISTINCT x.s, date_bin(INTERVAL '1 day', x.h, TIMESTAMPTZ '2000-01-01 00:00:00+00')
                FROM unnest(site_ids, hours) AS x(s, h) LOOP
        DELETE FROM eventide.events_1d_mat WHERE site_id = s AND bucket = d;
        DELETE FROM eventide.users_1d_mat WHERE site_id = s AND bucket = d;
        DELETE FROM eventide.name_users_1d_mat WHERE site_id = s AND bucket = d;
        INSERT INTO eventide.events_1d_mat (bucket, site_id, name, path, events)
        SELECT d, s, x.name, x.path, sum(x.events)::bigint
        FROM eventide.events_1h_mat x
        WHERE x.site_id = s AND x.bucket >= d AND x.bucket < d + INTERVAL '1 day'
        GROUP BY x.name, x.path;
        INSERT INTO eventide.users_1d_mat (bucket, site_id, user_id, events)
        SELECT d, s, u.user_id, sum(u.events)::bigint
        FROM eventide.users_1h_mat u
        WHERE u.site_id = s AND u.bucket >= d AND u.bucket < d + INTERVAL '1 day'
        GROUP BY u.user_id;
        INSERT INTO eventide.name_users_1d_mat (bucket, site_id, name, user_id, events)
        SELECT d, s, e.name, e.user_id, count(*)::bigint
        FROM eventide.events e
        WHERE e.site_id = s AND e.time >= d AND e.time < d + INTERVAL '1 day' AND e.user_id IS NOT NULL
        GROUP BY e.name, e.user_id;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION eventide.drop_aggregates_before(cutoff timestamptz)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM eventide.events_1m_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.events_1h_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.events_1d_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.users_1h_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.users_1d_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.name_users_1d_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.aggregate_dirty WHERE hour < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
$$;

-- The events already stored. Days with a dirty hour are read raw until their
-- refresh, which recomputes these rows, so a writer racing this fill cannot
-- leave them wrong once read.
INSERT INTO eventide.name_users_1d_mat (bucket, site_id, name, user_id, events)
SELECT date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), site_id, name, user_id, count(*)::bigint
FROM eventide.events WHERE user_id IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- Materialized rows of clean days UNION ALL raw events of days with a dirty
-- hour, as users_1d in 0140.
CREATE VIEW eventide.name_users_1d AS
SELECT m.bucket, m.site_id, m.name, m.user_id, m.events
FROM eventide.name_users_1d_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d
                  WHERE d.site_id = m.site_id AND d.hour >= m.bucket AND d.hour < m.bucket + INTERVAL '1 day')
UNION ALL
SELECT dd.day, dd.site_id, x.name, x.user_id, x.events
FROM (SELECT DISTINCT site_id, date_bin(INTERVAL '1 day', hour, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day FROM eventide.aggregate_dirty) dd
CROSS JOIN LATERAL (
    SELECT e.name, e.user_id, count(*)::bigint AS events
    FROM eventide.events e
    WHERE e.site_id = dd.site_id AND e.time >= dd.day AND e.time < dd.day + INTERVAL '1 day' AND e.user_id IS NOT NULL
    GROUP BY 1, 2) x;
