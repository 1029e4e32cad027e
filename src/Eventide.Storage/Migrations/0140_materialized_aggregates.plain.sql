-- Plain PostgreSQL: materialized aggregates that stay exact.
--
-- The views of migration 0003 aggregated raw events on every read (26–77 s
-- for a 30-day summary over 5 million events). Now each aggregate is a table
-- (<name>_mat) of the same columns, and the view of the same name answers
-- from it for clean (site, hour)s and from raw events for dirty ones:
--
-- * The processor's storing transaction marks the (site, hour)s it inserted
--   into in aggregate_dirty, in the same commit as the events (see
--   eventide.mark_aggregates_dirty). A committed event is therefore either
--   in a clean hour whose materialized rows count it, or in a dirty hour
--   that the views read raw.
-- * The refresher (processor role, plain mode) recomputes the rows of dirty
--   hours from raw events and deletes the marks it covered, in one commit.
--
-- So an answer is exact at every moment, whatever the refresher's lag; the
-- lag only decides how much is read raw.

CREATE TABLE eventide.aggregate_dirty (
    site_id   text NOT NULL,
    hour      timestamptz NOT NULL,
    -- The last mark: the refresher waits for an hour to go quiet (settle).
    marked_at timestamptz NOT NULL DEFAULT now(),
    -- The first mark since the last refresh: an hour written without pause
    -- is still refreshed once it has been dirty this long.
    since     timestamptz NOT NULL DEFAULT now(),
    -- Bumped by every mark. The refresher deletes a mark only if the version
    -- it read is still there, so it needs no row lock while it recomputes.
    version   bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (site_id, hour)
);

CREATE TABLE eventide.events_1m_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, name text NOT NULL, path text, events bigint NOT NULL);
CREATE TABLE eventide.events_1h_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, name text NOT NULL, path text, events bigint NOT NULL);
CREATE TABLE eventide.events_1d_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, name text NOT NULL, path text, events bigint NOT NULL);
CREATE TABLE eventide.users_1h_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, user_id text NOT NULL, events bigint NOT NULL);
CREATE TABLE eventide.users_1d_mat (bucket timestamptz NOT NULL, site_id text NOT NULL, user_id text NOT NULL, events bigint NOT NULL);
CREATE INDEX events_1m_mat_site_bucket ON eventide.events_1m_mat (site_id, bucket);
CREATE INDEX events_1h_mat_site_bucket ON eventide.events_1h_mat (site_id, bucket);
CREATE INDEX events_1d_mat_site_bucket ON eventide.events_1d_mat (site_id, bucket);
-- user_id in the key: distinct users over a range read the index only.
CREATE INDEX users_1h_mat_site_bucket ON eventide.users_1h_mat (site_id, bucket, user_id);
CREATE INDEX users_1d_mat_site_bucket ON eventide.users_1d_mat (site_id, bucket, user_id);

-- Marks the hours of the given (site, time) pairs dirty. DO UPDATE, never
-- DO NOTHING: the update bumps the version (and takes the row lock), so a
-- refresher that read the mark before this transaction's events were
-- committed cannot delete it afterwards. With DO NOTHING it could, and the
-- hour would turn clean without these events. Sorted, so two markers of
-- overlapping hours take the row locks in the same order.
CREATE FUNCTION eventide.mark_aggregates_dirty(site_ids text[], times timestamptz[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO eventide.aggregate_dirty AS d (site_id, hour)
    SELECT DISTINCT s, date_bin(INTERVAL '1 hour', t, TIMESTAMPTZ '2000-01-01 00:00:00+00')
    FROM unnest(site_ids, times) AS x(s, t)
    ORDER BY 1, 2
    ON CONFLICT (site_id, hour) DO UPDATE SET marked_at = now(), version = d.version + 1
$$;

-- Recomputes the materialized rows of the given distinct (site, hour)s from
-- raw events, and the day rows of their days from the hour rows (a day's
-- rows are only read while none of its hours is dirty, and then every hour
-- row is exact). The caller holds the refresher's advisory lock, so no other
-- refresher writes these rows meanwhile. One (site, hour) or (site, day) at
-- a time, each statement narrowed to it by constants: set-based statements
-- joined to unnest() were planned as hash joins over the whole _mat tables
-- (their statistics lag their growth) and took 10–15 s a round in the bench.
CREATE FUNCTION eventide.refresh_aggregate_hours(site_ids text[], hours timestamptz[])
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
    END LOOP;
END $$;

-- Retention: events partitions that end at or before the cutoff are dropped
-- with the rows below, in one transaction, so no view reads a
-- materialized row whose events are gone.
CREATE FUNCTION eventide.drop_aggregates_before(cutoff timestamptz)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM eventide.events_1m_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.events_1h_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.events_1d_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.users_1h_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.users_1d_mat WHERE bucket < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.aggregate_dirty WHERE hour < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
$$;

-- The events already stored: every hour they touch is materialized now.
SELECT eventide.refresh_aggregate_hours(array_agg(site_id), array_agg(hour))
FROM (SELECT DISTINCT site_id, date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour FROM eventide.events) h;

DROP VIEW eventide.events_1m, eventide.events_1h, eventide.events_1d, eventide.users_1h;

-- Each view: materialized rows of clean hours (days) UNION ALL raw events of
-- dirty ones. A predicate on site_id and bucket reaches both branches; the
-- raw branch reads the (site_id, time) index once per dirty hour.
CREATE VIEW eventide.events_1m AS
SELECT m.bucket, m.site_id, m.name, m.path, m.events
FROM eventide.events_1m_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d
                  WHERE d.site_id = m.site_id AND d.hour = date_bin(INTERVAL '1 hour', m.bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00'))
UNION ALL
SELECT x.bucket, d.site_id, x.name, x.path, x.events
FROM eventide.aggregate_dirty d
CROSS JOIN LATERAL (
    SELECT date_bin(INTERVAL '1 minute', e.time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, e.name, e.path, count(*)::bigint AS events
    FROM eventide.events e
    WHERE e.site_id = d.site_id AND e.time >= d.hour AND e.time < d.hour + INTERVAL '1 hour'
    GROUP BY 1, 2, 3) x;

CREATE VIEW eventide.events_1h AS
SELECT m.bucket, m.site_id, m.name, m.path, m.events
FROM eventide.events_1h_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d WHERE d.site_id = m.site_id AND d.hour = m.bucket)
UNION ALL
SELECT d.hour, d.site_id, x.name, x.path, x.events
FROM eventide.aggregate_dirty d
CROSS JOIN LATERAL (
    SELECT e.name, e.path, count(*)::bigint AS events
    FROM eventide.events e
    WHERE e.site_id = d.site_id AND e.time >= d.hour AND e.time < d.hour + INTERVAL '1 hour'
    GROUP BY 1, 2) x;

-- A day with a dirty hour is summed from events_1h (clean hour rows plus raw
-- events of its dirty hours).
CREATE VIEW eventide.events_1d AS
SELECT m.bucket, m.site_id, m.name, m.path, m.events
FROM eventide.events_1d_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d
                  WHERE d.site_id = m.site_id AND d.hour >= m.bucket AND d.hour < m.bucket + INTERVAL '1 day')
UNION ALL
SELECT dd.day, dd.site_id, x.name, x.path, x.events
FROM (SELECT DISTINCT site_id, date_bin(INTERVAL '1 day', hour, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day FROM eventide.aggregate_dirty) dd
CROSS JOIN LATERAL (
    SELECT h.name, h.path, sum(h.events)::bigint AS events
    FROM eventide.events_1h h
    WHERE h.site_id = dd.site_id AND h.bucket >= dd.day AND h.bucket < dd.day + INTERVAL '1 day'
    GROUP BY 1, 2) x;

CREATE VIEW eventide.users_1h AS
SELECT m.bucket, m.site_id, m.user_id, m.events
FROM eventide.users_1h_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d WHERE d.site_id = m.site_id AND d.hour = m.bucket)
UNION ALL
SELECT d.hour, d.site_id, x.user_id, x.events
FROM eventide.aggregate_dirty d
CROSS JOIN LATERAL (
    SELECT e.user_id, count(*)::bigint AS events
    FROM eventide.events e
    WHERE e.site_id = d.site_id AND e.time >= d.hour AND e.time < d.hour + INTERVAL '1 hour' AND e.user_id IS NOT NULL
    GROUP BY 1) x;

CREATE VIEW eventide.users_1d AS
SELECT m.bucket, m.site_id, m.user_id, m.events
FROM eventide.users_1d_mat m
WHERE NOT EXISTS (SELECT 1 FROM eventide.aggregate_dirty d
                  WHERE d.site_id = m.site_id AND d.hour >= m.bucket AND d.hour < m.bucket + INTERVAL '1 day')
UNION ALL
SELECT dd.day, dd.site_id, x.user_id, x.events
FROM (SELECT DISTINCT site_id, date_bin(INTERVAL '1 day', hour, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day FROM eventide.aggregate_dirty) dd
CROSS JOIN LATERAL (
    SELECT h.user_id, sum(h.events)::bigint AS events
    FROM eventide.users_1h h
    WHERE h.site_id = dd.site_id AND h.bucket >= dd.day AND h.bucket < dd.day + INTERVAL '1 day'
    GROUP BY 1) x;
