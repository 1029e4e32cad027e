-- The storing transaction's dirty mark (0140) in PL/pgSQL instead of SQL. Every
-- consume transaction calls it once, and PostgreSQL 15 parses and plans the body
-- of a LANGUAGE sql function that it cannot inline (an INSERT) on every call,
-- while PL/pgSQL keeps the statement's plan for the session. Measured with
-- pgbench on one connection (two (site, hour)s a call): 0.38 ms a call as SQL,
-- 0.21 ms as PL/pgSQL; at one event a request the processor runs a few hundred
-- such transactions a second (docs/benchmark.md). Same statement, same result.
CREATE OR REPLACE FUNCTION eventide.mark_aggregates_dirty(site_ids text[], times timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO eventide.aggregate_dirty AS d (site_id, hour)
    SELECT DISTINCT s, date_bin(INTERVAL '1 hour', t, TIMESTAMPTZ '2000-01-01 00:00:00+00')
    FROM unnest(site_ids, times) AS x(s, t)
    ORDER BY 1, 2
    ON CONFLICT (site_id, hour) DO UPDATE SET marked_at = now(), version = d.version + 1;
END
$$;
