-- One round of the dedupe index micro-measure (after dedupe-index-setup.sql, with psql on
-- the database server itself, as it reads the backend's /proc/<pid>/stat): both tables
-- emptied and a checkpoint, then for batches 2..400 the lookup of 3,150 new keys and 350
-- of the batch before (a tenth already recorded, as retries are) and the record of the
-- new ones; the B-tree with = ANY first, then the hash index probed per key. Prints the
-- backend's CPU ticks (10 ms) before, between and after.
-- psql -qAt -f dedupe-index-cpu.sql | awk '/cpu_ticks/{t[++n]=$2} END {print "btree", t[2]-t[1], "hash", t[3]-t[2]}'
-- (Without the TRUNCATE, after filling b_y and b_t, h_y and h_t with 1.5 million keys
-- each, the same round measures partitions that already hold a day's ids.)
\o /tmp/dedupe-index-backend.pid
SELECT pg_backend_pid();
\o
SET enable_seqscan = off;
TRUNCATE b, h;
CHECKPOINT;
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-index-backend.pid)/stat
DO $$ DECLARE i int; c int; ks uuid[]; BEGIN FOR i IN 2..400 LOOP
  SELECT (SELECT keys[1:3150] FROM batches WHERE n = i) || (SELECT keys[1:350] FROM batches WHERE n = i - 1) INTO ks;
  SELECT count(*) INTO c FROM b e WHERE e.key = ANY(ks) AND e.seen_at > now() - interval '24 hours' AND e.seen_at < now() + interval '1 hour';
  INSERT INTO b (key, seen_at) SELECT k, now() FROM batches x, unnest(x.keys[1:3150]) AS u(k) WHERE x.n = i;
END LOOP; END $$;
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-index-backend.pid)/stat
DO $$ DECLARE i int; c int; ks uuid[]; BEGIN FOR i IN 2..400 LOOP
  SELECT (SELECT keys[1:3150] FROM batches WHERE n = i) || (SELECT keys[1:350] FROM batches WHERE n = i - 1) INTO ks;
  SELECT count(*) INTO c FROM unnest(ks) AS x(k) CROSS JOIN LATERAL (SELECT 1 FROM h e WHERE e.key = x.k AND e.seen_at > now() - interval '24 hours' AND e.seen_at < now() + interval '1 hour' LIMIT 1) s;
  INSERT INTO h (key, seen_at) SELECT k, now() FROM batches x, unnest(x.keys[1:3150]) AS u(k) WHERE x.n = i;
END LOOP; END $$;
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-index-backend.pid)/stat
