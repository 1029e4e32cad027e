-- Plain mode rewrites its dirty mark in PL/pgSQL in this version; in Timescale
-- mode the mark is a no-op (continuous aggregates track their own
-- invalidations, 0140) and stays as it is. The version exists in both modes so
-- that both have the same schema versions.
SELECT 1;
