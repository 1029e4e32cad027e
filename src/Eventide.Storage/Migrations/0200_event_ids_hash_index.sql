-- The dedupe record's key behind a hash index instead of a B-tree. The key is
-- a digest, so its B-tree was inserted into at random pages and never read in
-- order; a hash index finds a key's bucket page from the key's hash, without
-- descending a tree, and its entries hold a 4-byte hash instead of the
-- 16-byte key. Lookups recheck the key on the row, so two keys with equal
-- hashes cost a heap visit, never a dropped event. Measured on PostgreSQL 15
-- (bench/micro/dedupe-index-setup.sql and -cpu.sql: 399 batches of 3,500
-- keys looked up, a tenth of them already recorded, then the new ones
-- recorded; backend CPU, four rounds): 8.4-12.1 s against 11.2-14.6 s for the
-- B-tree with its = ANY lookup, 17-29 % less, and in the end-to-end benchmark
-- the record's insert fell from about half of the event insert's time to
-- about a third (docs/benchmark.md, "2026-12-03 17:28–19:20: the dedupe record
-- behind a hash index").
-- The lookup probes per key (ShardConsumer.SeenIdsSql): a hash index has no
-- array search, so = ANY would recheck every match against the whole key list.
-- New daily partitions take the index from the partitioned table.
CREATE INDEX event_ids_key_hashed ON eventide.event_ids USING hash (key);
DROP INDEX eventide.event_ids_key;
