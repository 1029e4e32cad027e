-- Tables shared by both storage modes. The events table and its aggregates
-- come in mode-specific files (0002, 0003).

CREATE TABLE eventide.sites (
    site_id    text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Keys are stored as SHA-256 hashes; the clear key is shown once at creation.
CREATE TABLE eventide.api_keys (
    key_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    text NOT NULL REFERENCES eventide.sites ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('write', 'read')),
    key_hash   bytea NOT NULL UNIQUE,
    key_prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_site ON eventide.api_keys (site_id);

-- The inbox: acknowledged, not yet processed events, one row per
-- (commit, shard). Rows go to the partition of the current slot; a slot is
-- truncated (not vacuumed) once it is empty and two rotations old, so
-- sustained insert-and-delete leaves no dead tuples behind.
CREATE SEQUENCE eventide.inbox_id_seq;
CREATE TABLE eventide.inbox (
    id          bigint NOT NULL DEFAULT nextval('eventide.inbox_id_seq'),
    slot        smallint NOT NULL,
    shard       integer NOT NULL,
    event_count integer NOT NULL,
    received_at timestamptz NOT NULL,
    payload     bytea NOT NULL
) PARTITION BY LIST (slot);
CREATE TABLE eventide.inbox_0 PARTITION OF eventide.inbox FOR VALUES IN (0);
CREATE TABLE eventide.inbox_1 PARTITION OF eventide.inbox FOR VALUES IN (1);
CREATE TABLE eventide.inbox_2 PARTITION OF eventide.inbox FOR VALUES IN (2);
CREATE TABLE eventide.inbox_3 PARTITION OF eventide.inbox FOR VALUES IN (3);
CREATE INDEX inbox_shard_id ON eventide.inbox (shard, id);

CREATE TABLE eventide.inbox_state (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    current_slot smallint NOT NULL,
    rotated_at   timestamptz NOT NULL
);
INSERT INTO eventide.inbox_state (current_slot, rotated_at) VALUES (0, now());

-- Ids seen within the dedupe window. The unique key of events must include
-- time, so this is what makes a retried event with a new timestamp a
-- duplicate. Partitioned by day and dropped after the window.
CREATE TABLE eventide.event_ids (
    site_id  text NOT NULL,
    event_id text NOT NULL,
    seen_at  timestamptz NOT NULL
) PARTITION BY RANGE (seen_at);
CREATE INDEX event_ids_site_event ON eventide.event_ids (site_id, event_id);

CREATE TABLE eventide.dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id     text,
    event_id    text,
    source      text NOT NULL,
    payload     jsonb NOT NULL,
    error       text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
CREATE INDEX dead_letters_failed ON eventide.dead_letters (failed_at DESC);

CREATE TABLE eventide.processor_members (
    member_id    text PRIMARY KEY,
    host         text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Creates the daily partitions of a table partitioned by range on a
-- timestamptz column, for every UTC day in [from_day, to_day]. Serialized
-- by an advisory lock because concurrent CREATE ... PARTITION OF race.
CREATE FUNCTION eventide.ensure_daily_partitions(parent text, from_day date, to_day date)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d date := from_day;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('eventide.partitions'));
    WHILE d <= to_day LOOP
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS eventide.%I PARTITION OF eventide.%I FOR VALUES FROM (%L) TO (%L)',
            parent || '_' || to_char(d, 'YYYYMMDD'), parent,
            d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
        d := d + 1;
    END LOOP;
END $$;

-- Drops daily partitions that end before the cutoff. Returns how many.
CREATE FUNCTION eventide.drop_daily_partitions_before(parent text, cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class p ON p.oid = i.inhparent
        JOIN pg_namespace ns ON ns.oid = p.relnamespace
        WHERE ns.nspname = 'eventide' AND p.relname = parent
          AND c.relname ~ ('^' || parent || '_[0-9]{8}$')
          AND (to_date(right(c.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
    LOOP
        EXECUTE format('DROP TABLE eventide.%I', r.relname);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
