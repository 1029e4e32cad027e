-- Property breakdowns (by=property:<key>, with or without metric=sum:|avg:)
-- read every raw event of their range: 1.9–2.8 s for 30 days of 5 million
-- events on plain PostgreSQL, linear in the events. This is an extra
-- aggregate of closed days that answers them from a few hundred rows per day:
--
-- * property_days: per (site, day, name, key, value) the events, for every
--   key of the day that is materialized (value NULL: the events of that name
--   without the key, or with JSON null), plus one row per (site, day, name)
--   with key NULL: all events of the name (for a key absent all day).
-- * property_metric_days: per (site, day, name, key, value, metric_key), over
--   the events whose metric_key is present, the sum of its numbers, how many
--   were numbers and how many were not (skipped); key NULL: over all events
--   of the name. Only metric keys with at least one number that day.
-- * property_day_state: the registry of materialized (site, day)s and their
--   keys. A query reads the aggregate for registered days and raw events for
--   the rest. Keys with too many values or too long values in a day are listed
--   in fallback_keys: a breakdown by such a key reads that day raw.
--
-- Exactness: a (site, day) is registered in the same commit as its rows, by a
-- materializer that holds the day's exclusive advisory lock (two-key lock,
-- first key 1163284548 = "EVPD", see AdvisoryLocks.PropertyDay) before its
-- statements take their snapshots. A storing transaction with events older
-- than the start of the current day takes the same lock shared for each of
-- their days and then deletes their registrations, in the same commit as the
-- events (eventide.forget_property_days). So either the materializer's
-- snapshot saw those events, or the registration it wrote is deleted before
-- they commit: a registered day's rows count every committed event of it.
--
-- Both modes get the tables; only plain mode runs the materializer (Timescale
-- retention drops chunks without these rows), so in Timescale mode the
-- registry stays empty and every breakdown reads raw events, with the same
-- answers.

CREATE TABLE eventide.property_days (
    site_id text NOT NULL,
    day     timestamptz NOT NULL,
    name    text NOT NULL,
    key     text,
    value   text,
    events  bigint NOT NULL
);
CREATE INDEX property_days_site_day_key ON eventide.property_days (site_id, day, key);

CREATE TABLE eventide.property_metric_days (
    site_id    text NOT NULL,
    day        timestamptz NOT NULL,
    name       text NOT NULL,
    key        text,
    value      text,
    metric_key text NOT NULL,
    sum        numeric,
    numbers    bigint NOT NULL,
    skipped    bigint NOT NULL
);
CREATE INDEX property_metric_days_site_day_key ON eventide.property_metric_days (site_id, day, metric_key, key);

CREATE TABLE eventide.property_day_state (
    site_id         text NOT NULL,
    day             timestamptz NOT NULL,
    -- Keys with rows in property_days.
    keys            text[] NOT NULL,
    -- Keys present that day without rows (too many or too long values, or
    -- beyond the most frequent max_keys): read raw when broken down by.
    fallback_keys   text[] NOT NULL,
    -- Keys with at least one number that day: rows in property_metric_days.
    metric_keys     text[] NOT NULL,
    materialized_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, day)
);

-- The second key of a (site, day)'s advisory lock. Epoch seconds, not
-- day::text, which depends on the session's TimeZone.
CREATE FUNCTION eventide.property_day_lock_key(site text, day timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT hashtext(site || '/' || extract(epoch FROM day)::bigint::text)
$$;

-- Called by the storing transaction for its events older than the start of
-- the current day (the only ones a materialized day can hold), after they
-- were inserted. PL/pgSQL in read committed: the DELETE takes its snapshot
-- after the locks are granted, so it also sees a registration committed by a
-- materializer this transaction waited for. Sorted, so two callers take the
-- shared locks in the same order (shared locks never conflict, but a
-- materializer queued between them would).
CREATE FUNCTION eventide.forget_property_days(site_ids text[], times timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s text;
    d timestamptz;
BEGIN
    FOR s, d IN SELECT DISTINCT x.s, date_bin(INTERVAL '1 day', x.t, TIMESTAMPTZ '2000-01-01 00:00:00+00')
                FROM unnest(site_ids, times) AS x(s, t) ORDER BY 1, 2 LOOP
        PERFORM pg_advisory_xact_lock_shared(1163284548, eventide.property_day_lock_key(s, d));
    END LOOP;
    DELETE FROM eventide.property_day_state p
    USING (SELECT DISTINCT x.s, date_bin(INTERVAL '1 day', x.t, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS d
           FROM unnest(site_ids, times) AS x(s, t)) r
    WHERE p.site_id = r.s AND p.day = r.d;
END $$;

-- Recomputes one (site, day) from raw events and registers it. Each statement
-- runs after the exclusive lock is granted, with its own read committed
-- snapshot; all of them are in the caller's transaction, so the rows and the
-- registration commit together. A key is a fallback when it has more than
-- max_values distinct values or a value longer than max_length that day, or
-- is not among the max_keys keys on most events (every event costs one row
-- per materialized key before grouping).
CREATE FUNCTION eventide.materialize_property_day(s text, d timestamptz, max_values integer, max_length integer, max_keys integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    mat text[];
    fallback text[];
    numeric_keys text[];
BEGIN
    PERFORM pg_advisory_xact_lock(1163284548, eventide.property_day_lock_key(s, d));
    DELETE FROM eventide.property_days WHERE site_id = s AND day = d;
    DELETE FROM eventide.property_metric_days WHERE site_id = s AND day = d;
    DELETE FROM eventide.property_day_state WHERE site_id = s AND day = d;

    SELECT coalesce(array_agg(k ORDER BY k) FILTER (WHERE NOT fb), '{}'),
           coalesce(array_agg(k ORDER BY k) FILTER (WHERE fb), '{}'),
           coalesce(array_agg(k ORDER BY k) FILTER (WHERE num), '{}')
    INTO mat, fallback, numeric_keys
    FROM (
        SELECT k, num,
               n > max_values OR coalesce(l, 0) > max_length OR row_number() OVER (ORDER BY present DESC, k COLLATE "C") > max_keys AS fb
        FROM (
            SELECT p.k, count(*) AS present, count(DISTINCT p.v #>> '{}') AS n, max(length(p.v #>> '{}')) AS l,
                   bool_or(jsonb_typeof(p.v) = 'number') AS num
            FROM eventide.events e CROSS JOIN LATERAL jsonb_each(e.properties) AS p(k, v)
            WHERE e.site_id = s AND e.time >= d AND e.time < d + INTERVAL '1 day' AND jsonb_typeof(e.properties) = 'object'
            GROUP BY p.k) stats) ranked;

    INSERT INTO eventide.property_days (site_id, day, name, key, value, events)
    SELECT s, d, e.name, k.k, CASE WHEN k.k IS NULL THEN NULL ELSE e.properties->>k.k END, count(*)
    FROM eventide.events e
    CROSS JOIN (SELECT NULL::text UNION ALL SELECT unnest(mat)) AS k(k)
    WHERE e.site_id = s AND e.time >= d AND e.time < d + INTERVAL '1 day'
    GROUP BY 3, 4, 5;

    IF cardinality(numeric_keys) > 0 THEN
        INSERT INTO eventide.property_metric_days (site_id, day, name, key, value, metric_key, sum, numbers, skipped)
        SELECT s, d, e.name, k.k, CASE WHEN k.k IS NULL THEN NULL ELSE e.properties->>k.k END, m.k,
               sum(CASE WHEN jsonb_typeof(m.v) = 'number' THEN m.v::numeric END),
               count(*) FILTER (WHERE jsonb_typeof(m.v) = 'number'),
               count(*) FILTER (WHERE jsonb_typeof(m.v) <> 'number')
        FROM eventide.events e
        CROSS JOIN LATERAL (SELECT mk, e.properties->mk FROM unnest(numeric_keys) AS mk) AS m(k, v)
        CROSS JOIN (SELECT NULL::text UNION ALL SELECT unnest(mat)) AS k(k)
        WHERE e.site_id = s AND e.time >= d AND e.time < d + INTERVAL '1 day' AND m.v IS NOT NULL
        GROUP BY 3, 4, 5, 6;
    END IF;

    INSERT INTO eventide.property_day_state (site_id, day, keys, fallback_keys, metric_keys)
    VALUES (s, d, mat, fallback, numeric_keys);
END $$;

-- Retention: called with the events partitions' drop, in the same commit.
CREATE FUNCTION eventide.drop_property_days_before(cutoff timestamptz)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM eventide.property_days WHERE day < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.property_metric_days WHERE day < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
    DELETE FROM eventide.property_day_state WHERE day < date_bin(INTERVAL '1 day', cutoff, TIMESTAMPTZ '2000-01-01 00:00:00+00');
$$;
