-- The dedupe record's index keyed by a 64-bit hash of (site_id, event_id)
-- instead of the two texts. Every batch inserts one entry per stored event and
-- probes one per candidate; a bigint B-tree is a fraction of the size of the
-- text one and compares without collation calls (the database's C.UTF-8
-- collation runs strcoll for every text comparison). The probe still
-- compares both texts on the row, so a hash collision never drops an event.
-- An expression index needs no new column: the ids already recorded within
-- the window stay effective across the upgrade.
CREATE INDEX event_ids_key_hash ON eventide.event_ids (hashtextextended(site_id || '/' || event_id, 0));
DROP INDEX eventide.event_ids_site_event;
