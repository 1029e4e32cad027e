-- Micro-measure of the dedupe record (docs/benchmark.md, "The dedupe record as a
-- 128-bit digest"): run in a scratch database, then dedupe-key-cpu.sql.
-- Table a is the record before migration 0170 (texts behind a hashtextextended
-- expression index), b after it (a uuid digest); both partitioned by day like
-- eventide.event_ids, with yesterday and today holding 1.5 million ids each.
CREATE TABLE a (site_id text NOT NULL, event_id text NOT NULL, seen_at timestamptz NOT NULL) PARTITION BY RANGE (seen_at);
CREATE TABLE a_y PARTITION OF a FOR VALUES FROM (date_trunc('day', now()) - interval '1 day') TO (date_trunc('day', now()));
CREATE TABLE a_t PARTITION OF a FOR VALUES FROM (date_trunc('day', now())) TO (date_trunc('day', now()) + interval '1 day');
CREATE TABLE a_n PARTITION OF a FOR VALUES FROM (date_trunc('day', now()) + interval '1 day') TO (date_trunc('day', now()) + interval '2 day');
CREATE INDEX a_k ON a (hashtextextended(site_id || '/' || event_id, 0));
CREATE TABLE b (key uuid NOT NULL, seen_at timestamptz NOT NULL) PARTITION BY RANGE (seen_at);
CREATE TABLE b_y PARTITION OF b FOR VALUES FROM (date_trunc('day', now()) - interval '1 day') TO (date_trunc('day', now()));
CREATE TABLE b_t PARTITION OF b FOR VALUES FROM (date_trunc('day', now())) TO (date_trunc('day', now()) + interval '1 day');
CREATE TABLE b_n PARTITION OF b FOR VALUES FROM (date_trunc('day', now()) + interval '1 day') TO (date_trunc('day', now()) + interval '2 day');
CREATE INDEX b_k ON b (key);
-- eventide.event_key of migration 0170.
CREATE FUNCTION k(s text, e text) RETURNS uuid IMMUTABLE LANGUAGE sql AS $$
    SELECT encode(substr(sha256(convert_to(s || '/' || e, 'UTF8')), 1, 16), 'hex')::uuid $$;
INSERT INTO a SELECT 's' || (i % 1000), gen_random_uuid()::text, date_trunc('day', now()) - interval '1 day' + (i % 80000) * interval '1 second' FROM generate_series(1, 1500000) i;
INSERT INTO a SELECT 's' || (i % 1000), gen_random_uuid()::text, now() - (i % 3600) * interval '1 second' FROM generate_series(1, 1500000) i;
INSERT INTO b SELECT k(site_id, event_id), seen_at FROM a;
-- 400 batches of 2,000 new ids, as the processor would send them (the keys computed ahead, as it does).
CREATE TABLE batches (n int PRIMARY KEY, sites text[], ids text[], keys uuid[]);
INSERT INTO batches SELECT n, array_agg(s), array_agg(e), array_agg(k(s, e)) FROM (
  SELECT n, 's' || (random() * 999)::int AS s, gen_random_uuid()::text AS e FROM generate_series(1, 400) n, generate_series(1, 2000) j) x GROUP BY n;
CREATE SEQUENCE sa;
CREATE SEQUENCE sb;
VACUUM ANALYZE;
