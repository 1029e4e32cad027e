-- One round of the dedupe micro-measure (after dedupe-key-setup.sql, with psql on the
-- database server itself, as it reads the backend's /proc/<pid>/stat): prints the
-- backend's CPU ticks (10 ms) before, between and after 40 batches of lookup + record,
-- the old statements (texts, LATERAL probe) first, then the new (digest, = ANY).
-- psql -qAt -f dedupe-key-cpu.sql | awk '/cpu_ticks/{t[++n]=$2} END {print "old", t[2]-t[1], "new", t[3]-t[2]}'
\o /tmp/dedupe-key-backend.pid
SELECT pg_backend_pid();
\o
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-key-backend.pid)/stat
DO $$ DECLARE i int; c int; BEGIN FOR i IN 1..40 LOOP
  PERFORM setval('sa', nextval('sa'));
  SELECT count(*) INTO c FROM batches b, unnest(b.sites, b.ids) AS c(site_id, event_id) CROSS JOIN LATERAL (SELECT 1 FROM a e WHERE hashtextextended(e.site_id || '/' || e.event_id, 0) = hashtextextended(c.site_id || '/' || c.event_id, 0) AND e.site_id = c.site_id AND e.event_id = c.event_id AND e.seen_at > now() - interval '24 hours' AND e.seen_at < now() + interval '1 hour' LIMIT 1) s WHERE b.n = (SELECT (currval('sa') % 400) + 1);
  INSERT INTO a (site_id, event_id, seen_at) SELECT s, e, now() FROM batches b, unnest(b.sites, b.ids) AS x(s, e) WHERE b.n = (SELECT (currval('sa') % 400) + 1);
END LOOP; END $$;
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-key-backend.pid)/stat
SET enable_seqscan = off;
DO $$ DECLARE i int; c int; BEGIN FOR i IN 1..40 LOOP
  PERFORM setval('sb', nextval('sb'));
  SELECT count(*) INTO c FROM b e WHERE e.key = ANY((SELECT keys FROM batches WHERE n = (SELECT (currval('sb') % 400) + 1))::uuid[]) AND e.seen_at > now() - interval '24 hours' AND e.seen_at < now() + interval '1 hour';
  INSERT INTO b (key, seen_at) SELECT k, now() FROM batches b, unnest(b.keys) AS x(k) WHERE b.n = (SELECT (currval('sb') % 400) + 1);
END LOOP; END $$;
\! awk '{print "cpu_ticks", $14+$15}' /proc/$(cat /tmp/dedupe-key-backend.pid)/stat
