-- Micro-measure of the dedupe record's index (migration 0200, docs/benchmark.md,
-- "The dedupe record behind a hash index"): run in a scratch database, then
-- dedupe-index-cpu.sql. Table b is the record before the migration (a B-tree on the
-- digest, looked up with = ANY), h after it (a hash index, probed per key); both
-- partitioned by day like eventide.event_ids. 400 batches of 3,500 random keys.
CREATE TABLE b (key uuid NOT NULL, seen_at timestamptz NOT NULL) PARTITION BY RANGE (seen_at);
CREATE TABLE b_y PARTITION OF b FOR VALUES FROM (date_trunc('day', now()) - interval '1 day') TO (date_trunc('day', now()));
CREATE TABLE b_t PARTITION OF b FOR VALUES FROM (date_trunc('day', now())) TO (date_trunc('day', now()) + interval '1 day');
CREATE TABLE b_n PARTITION OF b FOR VALUES FROM (date_trunc('day', now()) + interval '1 day') TO (date_trunc('day', now()) + interval '2 day');
CREATE TABLE h (LIKE b) PARTITION BY RANGE (seen_at);
CREATE TABLE h_y PARTITION OF h FOR VALUES FROM (date_trunc('day', now()) - interval '1 day') TO (date_trunc('day', now()));
CREATE TABLE h_t PARTITION OF h FOR VALUES FROM (date_trunc('day', now())) TO (date_trunc('day', now()) + interval '1 day');
CREATE TABLE h_n PARTITION OF h FOR VALUES FROM (date_trunc('day', now()) + interval '1 day') TO (date_trunc('day', now()) + interval '2 day');
CREATE INDEX b_k ON b (key);
CREATE INDEX h_k ON h USING hash (key);
CREATE TABLE batches (n int PRIMARY KEY, keys uuid[]);
INSERT INTO batches SELECT n, array_agg(gen_random_uuid()) FROM generate_series(1, 400) n, generate_series(1, 3500) j GROUP BY n;
VACUUM ANALYZE;
