-- The dedupe record keyed by a 128-bit digest of (site_id, event_id) instead of
-- the two texts: the first 16 bytes of SHA-256 over the UTF-8 of
-- site_id || '/' || event_id (site ids never contain '/', so the pair is
-- unambiguous). The processor computes the same key itself (EventKey.cs); this
-- function is its definition in SQL, for upgrades and for tests that compare
-- the two. A probe now compares 16 bytes per index entry with memcmp and needs
-- no concatenation, hash or text comparison per row, and a record row shrinks
-- to the key and seen_at. The texts are no longer there to compare, so two
-- pairs with equal digests would make the second a duplicate: for n ids within
-- the window the odds of any such pair are about n^2 / 2^129 (1e-19 at ten
-- billion ids a day), and a site can only collide with its own ids, as the
-- digest covers its site_id (docs/processor.md, "The dedupe record").
CREATE FUNCTION eventide.event_key(site_id text, event_id text)
RETURNS uuid LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT encode(substr(sha256(convert_to(site_id || '/' || event_id, 'UTF8')), 1, 16), 'hex')::uuid
$$;

-- Ids recorded before the upgrade keep deduplicating: each row gets its key.
ALTER TABLE eventide.event_ids ADD COLUMN key uuid;
UPDATE eventide.event_ids SET key = eventide.event_key(site_id, event_id);
ALTER TABLE eventide.event_ids ALTER COLUMN key SET NOT NULL;
CREATE INDEX event_ids_key ON eventide.event_ids (key);
DROP INDEX eventide.event_ids_key_hash;
ALTER TABLE eventide.event_ids DROP COLUMN site_id, DROP COLUMN event_id;
