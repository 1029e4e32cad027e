-- Messages of the Segment Tracking API that cannot become events are dead-lettered
-- before the request is answered 200. Segment SDKs retry a whole batch (same
-- messageIds) after a 5xx or a lost answer, so writing a batch's dead letters must
-- be idempotent: at most one row per (site, message) for source 'segment'.
-- Partial, so the processor's dead letters (which may legitimately repeat) are unaffected.
CREATE UNIQUE INDEX dead_letters_segment_once ON eventide.dead_letters (site_id, event_id, source)
    WHERE source = 'segment';
