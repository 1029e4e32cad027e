-- Inbox payload compression: pglz (PostgreSQL's default), lz4 (migration
-- 0180) and none, for 3,000 rows of 100 made-up events each (~18.8 KB).
-- The source table stores its payloads uncompressed, so each insert
-- compresses them afresh, as the ingestion's commit does.
--   createdb micro && for r in 1 2 3; do psql -d micro -f bench/micro/inbox-compression.sql; done
\set QUIET on
DROP TABLE IF EXISTS src, t_pglz, t_lz4, t_ext;
CREATE TABLE src (id int, payload bytea);
ALTER TABLE src ALTER COLUMN payload SET STORAGE EXTERNAL;
INSERT INTO src SELECT g AS id, convert_to(string_agg(
  'site-' || (g % 1000) || 'page_view' || md5(g::text || '-' || i) || '/products/' || (i*7 % 500) || 'https://www.example.com/search?q=' || (i % 50)
  || 'user-' || (g*i % 100000) || 'sess-' || md5((g*i)::text) || '{"plan":"pro","amount":' || (i % 97) || '.5,"currency":"EUR"}', ''), 'UTF8') AS payload
FROM generate_series(1, 3000) g, generate_series(1, 100) i GROUP BY g;
SELECT avg(length(payload))::int AS avg_payload_bytes FROM src;
CREATE TABLE t_pglz (id bigint, shard int, payload bytea);
CREATE TABLE t_lz4 (id bigint, shard int, payload bytea COMPRESSION lz4);
CREATE TABLE t_ext (id bigint, shard int, payload bytea);
ALTER TABLE t_ext ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE INDEX ON t_pglz (shard, id); CREATE INDEX ON t_lz4 (shard, id); CREATE INDEX ON t_ext (shard, id);
SELECT count(*) FROM src WHERE length(payload) > 0;
\timing on
\echo pglz insert
INSERT INTO t_pglz SELECT id, id % 64, payload FROM src;
\echo lz4 insert
INSERT INTO t_lz4 SELECT id, id % 64, payload FROM src;
\echo uncompressed insert
INSERT INTO t_ext SELECT id, id % 64, payload FROM src;
\timing off
SELECT 'pglz' AS compression, pg_size_pretty(pg_total_relation_size('t_pglz')) AS size
UNION ALL SELECT 'lz4', pg_size_pretty(pg_total_relation_size('t_lz4'))
UNION ALL SELECT 'none', pg_size_pretty(pg_total_relation_size('t_ext'));
