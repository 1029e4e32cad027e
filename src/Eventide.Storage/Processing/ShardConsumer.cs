using System.Collections.Concurrent;
using Eventide.Core;
using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// Consumes one shard's inbox in one transaction: claim rows in id
/// order, decode, drop duplicates, sort by (site, time), insert the events,
/// record their ids, dead-letter what cannot be stored, delete the claimed
/// rows, commit. Removing claimed inbox rows must commit together with the
/// insert, or a crash between them stores the batch twice. Thread-safe: one
/// instance serves every shard of a member.
/// </summary>
public sealed class ShardConsumer(NpgsqlDataSource dataSource, TimeSpan dedupeWindow, TimeProvider? time = null, bool foldAggregates = true)
{
    private const string Savepoint = "insert_events";

    /// <summary>
    /// Which of the keys in $1 (<see cref="EventKey"/>) event_ids has seen within the window $2,
    /// as one probe of the partitions' hash index per key (migration 0200). Not <c>= ANY</c>: a
    /// hash index has no array search, so each match found through the key list was rechecked
    /// against the whole list, thousands of comparisons a match, which made a batch of retried
    /// events cost more than the probes. Run only after <see cref="NoSeqScanSql"/> and
    /// <see cref="NoParallelSql"/>. The upper bound on seen_at lets the planner prune the partition
    /// made ahead for the day after tomorrow (and tomorrow's until the last hour of the day): a
    /// probe fewer each. It must stay above every seen_at already committed: a consumer that
    /// waited on the shard lock sees rows stamped with the now() of a transaction that started
    /// after its own, and the wait is bounded by the command timeout.
    /// </summary>
    internal const string SeenIdsSql = """
        SELECT x.k FROM unnest($1::uuid[]) AS x(k)
        CROSS JOIN LATERAL (
            SELECT 1 FROM eventide.event_ids e
            WHERE e.key = x.k AND e.seen_at > now() - $2 AND e.seen_at < now() + interval '1 hour'
            LIMIT 1) AS seen
        """;

    /// <summary>
    /// One index probe per key, whatever the statistics say. Today's partition grows all day
    /// while its statistics lag: costed on them, a sequential scan of the whole partition with a
    /// hashed key list looks cheaper than the probes, and it grows with the table all day (as a
    /// plain EXISTS this became a hash semi-join over the window: 2.5 s a batch at 250k ids in
    /// the benchmark, auto_explain). Transaction-local, and set back right after the lookup.
    /// </summary>
    internal const string NoSeqScanSql = "SET LOCAL enable_seqscan = off";

    internal const string SeqScanBackSql = "SET LOCAL enable_seqscan TO DEFAULT";

    /// <summary>
    /// No parallel workers for the lookup. Once today's partition is a few hundred thousand ids the
    /// planner runs the probes as a Parallel Bitmap Heap Scan under a Gather: the probes took about
    /// 1 ms, starting and collecting two workers 30–90 ms (auto_explain, `--only-rate 9000` on 600k
    /// ids), which made the lookup 79 % of the database's time. Not set back: it stays off for the
    /// rest of the storing transaction, whose inserts, deletes and marks never run in parallel.
    /// </summary>
    internal const string NoParallelSql = "SET LOCAL max_parallel_workers_per_gather = 0";

    /// <summary>
    /// The claim: the shard's inbox rows in id order until $2 events (at least one row). Run
    /// under the shard lock and after <see cref="NoBitmapScanSql"/>.
    /// </summary>
    internal const string ClaimSql = """
        SELECT id, event_count, received_at, payload FROM (
            SELECT id, event_count, received_at, payload, sum(event_count) OVER (ORDER BY id) - event_count AS before
            FROM eventide.inbox WHERE shard = $1 ORDER BY id LIMIT $2) w
        WHERE w.before < $2
        ORDER BY id
        """;

    /// <summary>
    /// The claim reads the shard through its (shard, id) index entry by entry, never as a bitmap.
    /// Consumed rows stay in a slot's partition, dead, until rotation truncates it: at one event a
    /// request that is thousands per shard, and a bitmap heap scan visits every one of them again
    /// on every claim (1,875 heap pages for 312 live rows in one measurement), while an index scan
    /// marks the dead entries it meets, so the next claim skips them without a heap visit (330
    /// pages). Set back right after the claim.
    /// </summary>
    internal const string NoBitmapScanSql = "SET LOCAL enable_bitmapscan = off";

    internal const string BitmapScanBackSql = "SET LOCAL enable_bitmapscan TO DEFAULT";

    private readonly PartitionMaintenance _partitions = new(dataSource);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<DateOnly, bool> _eventDays = new();
    private readonly SemaphoreSlim _eventIdsGate = new(1, 1);
    private int _eventIdsReadyFor; // DateOnly.DayNumber of the day ensured
    private int _folds; // 0 not known yet, 1 plain mode (fold), 2 Timescale mode

    /// <summary>
    /// Whether storing transactions fold their events into the materialized aggregates: plain
    /// mode only (Timescale's continuous aggregates maintain themselves, and its fold function
    /// is a no-op the batch need not carry). Read once; before the schema exists, not folding
    /// marks hours dirty, which is exact in either mode. Never when the owner turned folding
    /// off (<c>foldAggregates</c>; the processor role's default): then every batch marks.
    /// </summary>
    private async ValueTask<bool> FoldsAsync(CancellationToken ct)
    {
        if (!foldAggregates)
        {
            return false;
        }
        var known = Volatile.Read(ref _folds);
        if (known != 0)
        {
            return known == 1;
        }
        if (await Migrator.ReadStatusAsync(dataSource, ct) is not { } status)
        {
            return false;
        }
        Volatile.Write(ref _folds, status.Mode == StorageMode.Plain ? 1 : 2);
        return status.Mode == StorageMode.Plain;
    }

    /// <summary>Forgets which event partitions exist, after retention dropped some.</summary>
    public void ForgetPartitions() => _eventDays.Clear();

    /// <param name="shard">The shard to consume.</param>
    /// <param name="maxEvents">Claim rows until this many events (at least one row).</param>
    /// <param name="recent">In-memory front of the dedupe store, or null.</param>
    /// <param name="cancellationToken">Cancels the transaction; nothing is committed then.</param>
    public async Task<ConsumeResult> ConsumeAsync(int shard, int maxEvents, IRecentIds? recent, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        await EnsureEventIdPartitionsAsync(cancellationToken);
        var fold = await FoldsAsync(cancellationToken);
        // fast path: the batch goes in with no savepoint and no ON CONFLICT, its insert in the same
        // round trip as the id record and the inbox delete. Only when the database rejects some
        // event's data, or the unique index finds an event event_ids no longer remembers (older
        // than the dedupe window), is the whole transaction rolled back and run again isolating
        // the bad events under savepoints, with ON CONFLICT DO NOTHING; rows rolled back were never
        // committed, so running again cannot store anything twice.
        return await ConsumeOnceAsync(shard, maxEvents, recent, isolate: false, fold, cancellationToken)
            ?? (await ConsumeOnceAsync(shard, maxEvents, recent, isolate: true, fold, cancellationToken))!;
    }

    /// <summary>One consume transaction; null when <paramref name="isolate"/> is false and the insert met a data error (rolled back).</summary>
    private async Task<ConsumeResult?> ConsumeOnceAsync(int shard, int maxEvents, IRecentIds? recent, bool isolate, bool fold, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);

        var rows = await LockAndClaimAsync(conn, tx, shard, maxEvents, cancellationToken);
        if (rows.Count == 0)
        {
            return ConsumeResult.Empty;
        }

        var batch = await DedupeAsync(conn, tx, ConsumePlan.Claim(shard, rows), recent, cancellationToken);
        var candidates = ConsumePlan.InInsertOrder(batch.Candidates);
        var dead = batch.Dead;
        if (candidates.Count > 0)
        {
            await EnsureEventPartitionsAsync(candidates, cancellationToken);
        }

        List<EventRecord> stored;
        if (!isolate)
        {
            try
            {
                await FinishAsync(conn, tx, shard, rows, candidates, candidates, dead, fold, cancellationToken);
            }
            catch (PostgresException ex) when (IsDataError(ex))
            {
                await tx.RollbackAsync(cancellationToken);
                return null;
            }
            stored = candidates;
        }
        else
        {
            var poison = new string?[candidates.Count];
            if (candidates.Count > 0)
            {
                await InsertIsolatingAsync(conn, tx, candidates, 0, candidates.Count, poison, cancellationToken);
            }
            (stored, var poisoned) = ConsumePlan.SplitPoison(candidates, poison);
            dead = [.. dead, .. poisoned];
            // ON CONFLICT DO NOTHING may have skipped some of stored (ids older than the dedupe
            // window): a fold would count them, a mark has the refresher count what is there.
            await FinishAsync(conn, tx, shard, rows, null, stored, dead, fold: false, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return new ConsumeResult(rows.Count, batch.ClaimedEvents, stored, batch.Duplicates, dead, HasMore: batch.ClaimedEvents >= maxEvents);
    }

    private static async Task<List<InboxRow>> LockAndClaimAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int shard, int maxEvents, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        // The fence for a split brain (two clusters each sure it holds the shard): consumers
        // of one shard take turns, so the second sees the first's event_ids and inbox deletes
        // and neither an inbox row nor an id in two rows is stored twice. Released at commit or
        // rollback, so a dead member never holds it. Sent in one round trip with the claim,
        // which runs after it.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1, $2)")
        {
            Parameters = { new() { Value = AdvisoryLocks.ShardConsumers }, new() { Value = shard } },
        });
        // Rows are taken in id order until maxEvents events (at least one row). No FOR UPDATE:
        // the shard lock above already keeps every other consumer of the shard out until this
        // transaction ends, and this statement's snapshot, taken once the lock is held, sees the
        // deletes of the consumer before. Locking each row cost a heap write and a WAL record
        // per row, and made the query join its rows back (window functions and FOR UPDATE do
        // not mix): four index probes a row, one per slot partition.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(NoBitmapScanSql));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ClaimSql)
        {
            Parameters = { new() { Value = shard }, new() { Value = maxEvents } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(BitmapScanBackSql));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        // Past the lock's result, and the setting's where the reader stops at it, to the claim's rows.
        while (reader.FieldCount != 4 && await reader.NextResultAsync(ct))
        {
        }
        var rows = new List<InboxRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new InboxRow(reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<byte[]>(3)));
        }
        return rows;
    }

    /// <summary>Drops the candidates already stored: first those the site entities remember, then those event_ids holds.</summary>
    private async Task<ClaimedBatch> DedupeAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, ClaimedBatch batch, IRecentIds? recent, CancellationToken ct)
    {
        if (recent is not null && batch.Candidates.Count > 0)
        {
            // fast path: ids the site entities saw committed need no lookup.
            batch = ConsumePlan.WithoutKnown(batch, await recent.KnownAsync(batch.Candidates, ct));
        }
        var candidates = batch.Candidates;
        if (candidates.Count == 0)
        {
            return batch;
        }

        var keys = EventKey.Of(candidates);
        await using var lookup = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(NoSeqScanSql),
                new NpgsqlBatchCommand(NoParallelSql),
                new NpgsqlBatchCommand(SeenIdsSql) { Parameters = { new() { Value = keys }, new() { Value = dedupeWindow } } },
                new NpgsqlBatchCommand(SeqScanBackSql),
            },
        };
        HashSet<Guid>? seen = null;
        await using (var reader = await lookup.ExecuteReaderAsync(ct))
        {
            // Only the lookup returns rows; reading every result set does not depend on where
            // the reader starts among the settings' empty ones.
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    (seen ??= []).Add(reader.GetGuid(0));
                }
            }
            while (await reader.NextResultAsync(ct));
        }
        HashSet<(string, string)>? known = null;
        if (seen is not null)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                if (seen.Contains(keys[i]))
                {
                    (known ??= []).Add((candidates[i].SiteId, candidates[i].EventId));
                }
            }
        }
        return known is null ? batch : ConsumePlan.WithoutKnown(batch, known);
    }

    private async Task EnsureEventIdPartitionsAsync(CancellationToken ct)
    {
        // Outside the consume transaction: creating a partition locks the
        // parent, which the transaction's own dedupe read would block.
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (Volatile.Read(ref _eventIdsReadyFor) == today.DayNumber)
        {
            return;
        }
        await _eventIdsGate.WaitAsync(ct);
        try
        {
            if (_eventIdsReadyFor != today.DayNumber)
            {
                await _partitions.EnsureAsync("event_ids", today.AddDays(-1), today.AddDays(2), ct);
                Volatile.Write(ref _eventIdsReadyFor, today.DayNumber);
            }
        }
        finally
        {
            _eventIdsGate.Release();
        }
    }

    private async Task EnsureEventPartitionsAsync(List<EventRecord> sorted, CancellationToken ct)
    {
        // Also outside the transaction (see above); the transaction has not
        // touched events yet, so this cannot wait on itself.
        DateOnly? last = null;
        foreach (var e in sorted)
        {
            var day = DateOnly.FromDateTime(e.Timestamp.UtcDateTime);
            if (day == last || _eventDays.ContainsKey(day))
            {
                continue;
            }
            last = day;
            await _partitions.EnsureAsync("events", day, day, ct);
            _eventDays[day] = true;
        }
    }

    /// <summary>
    /// Inserts events[start..start+count) under a savepoint; when the database
    /// rejects the data, splits the range in halves until each bad event is
    /// alone and records its error in <paramref name="poison"/>.
    /// </summary>
    private static async Task InsertIsolatingAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, List<EventRecord> events, int start, int count, string?[] poison, CancellationToken ct)
    {
        await tx.SaveAsync(Savepoint, ct);
        try
        {
            await InsertEventsAsync(conn, tx, events, start, count, ct);
        }
        catch (PostgresException ex) when (IsDataError(ex))
        {
            await tx.RollbackAsync(Savepoint, ct);
            if (count == 1)
            {
                poison[start] = ex.Detail is { Length: > 0 } detail ? $"{ex.MessageText} ({detail})" : ex.MessageText;
                return;
            }
            var half = count / 2;
            await InsertIsolatingAsync(conn, tx, events, start, half, poison, ct);
            await InsertIsolatingAsync(conn, tx, events, start + half, count - half, poison, ct);
        }
    }

    private static bool IsDataError(PostgresException ex) => ConsumePlan.IsDataError(ex.SqlState);

    private const string InsertEventsSql = """
        INSERT INTO eventide.events (time, site_id, event_id, name, path, referrer, user_id, session_id, properties, received_at)
        SELECT t, s, e, n, p, r, u, ss, pr::jsonb, ra
        FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
             AS x(t, s, e, n, p, r, u, ss, pr, ra)
        """;

    private static async Task InsertEventsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<EventRecord> events, int start, int count, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx) { BatchCommands = { InsertEventsCommand(events, start, count, skipConflicts: true) } };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <param name="events">The events, sorted by (site, time).</param>
    /// <param name="start">First event of the range to insert.</param>
    /// <param name="count">Events in the range.</param>
    /// <param name="skipConflicts">
    /// ON CONFLICT DO NOTHING. The fast path goes without: the dedupe has already dropped every
    /// id seen within the window, and an arbiter costs each row a pre-check probe of the unique
    /// index and a speculative-insertion lock, work the ceiling's plain insert does not do. The
    /// unique index still refuses a duplicate, which sends the batch to the isolating path.
    /// </param>
    private static NpgsqlBatchCommand InsertEventsCommand(List<EventRecord> events, int start, int count, bool skipConflicts)
    {
        // One array per column per batch, not per event.
        var time = new DateTimeOffset[count];
        var site = new string[count];
        var id = new string[count];
        var name = new string[count];
        var path = new string?[count];
        var referrer = new string?[count];
        var user = new string?[count];
        var session = new string?[count];
        var properties = new string?[count];
        var received = new DateTimeOffset[count];
        for (var i = 0; i < count; i++)
        {
            var e = events[start + i];
            time[i] = e.Timestamp;
            site[i] = e.SiteId;
            id[i] = e.EventId;
            name[i] = e.Name;
            path[i] = e.Path;
            referrer[i] = e.Referrer;
            user[i] = e.UserId;
            session[i] = e.SessionId;
            properties[i] = e.Properties;
            received[i] = e.ReceivedAt;
        }
        return new NpgsqlBatchCommand(skipConflicts ? InsertEventsSql + "\nON CONFLICT DO NOTHING" : InsertEventsSql)
        {
            Parameters =
            {
                new() { Value = time }, new() { Value = site }, new() { Value = id }, new() { Value = name }, new() { Value = path },
                new() { Value = referrer }, new() { Value = user }, new() { Value = session }, new() { Value = properties }, new() { Value = received },
            },
        };
    }

    /// <summary>
    /// The rest of the transaction in one round trip: the events (<paramref name="insert"/>, unless
    /// already inserted under savepoints), the ids of <paramref name="stored"/>, their fold into
    /// plain mode's materialized aggregates when <paramref name="fold"/> (exactly the rows
    /// inserted) or else their dirty hours, the property days of late ones, the dead letters and
    /// the delete of the claimed rows.
    /// </summary>
    private async Task FinishAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int shard, List<InboxRow> rows, List<EventRecord>? insert,
        List<EventRecord> stored, List<DeadLetterEntry> dead, bool fold, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        if (insert is { Count: > 0 })
        {
            batch.BatchCommands.Add(InsertEventsCommand(insert, 0, insert.Count, skipConflicts: false));
        }
        if (stored.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO eventide.event_ids (key, seen_at) SELECT k, now() FROM unnest($1::uuid[]) AS x(k)")
            {
                Parameters = { new() { Value = EventKey.Of(stored) } },
            });
        }
        if (stored.Count > 0)
        {
            batch.BatchCommands.Add(fold ? AggregateFold.Command(stored) : MarkDirtyCommand(stored));
        }
        if (ForgetPropertyDaysCommand(stored, _time.GetUtcNow()) is { } forget)
        {
            batch.BatchCommands.Add(forget);
        }
        if (dead.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO eventide.dead_letters (site_id, event_id, source, payload, error)
                SELECT s, e, $5, p::jsonb, err FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(s, e, p, err)
                """)
            {
                Parameters =
                {
                    new() { Value = dead.Select(d => d.SiteId).ToArray() },
                    new() { Value = dead.Select(d => d.EventId).ToArray() },
                    new() { Value = dead.Select(d => d.Payload).ToArray() },
                    new() { Value = dead.Select(d => d.Error).ToArray() },
                    new() { Value = DeadLetterSources.Processor },
                },
            });
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM eventide.inbox WHERE shard = $1 AND id = ANY($2)")
        {
            Parameters = { new() { Value = shard }, new() { Value = rows.Select(r => r.Id).ToArray() } },
        });
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Marks the (site, hour)s of the stored events dirty for plain mode's materialized
    /// aggregates (a no-op in Timescale mode), in the same commit as the events: an hour turns
    /// clean only when a refresh that saw these events commits. Events are sorted by (site,
    /// time), so equal hours are adjacent and one pass sends each once.
    /// </summary>
    private static NpgsqlBatchCommand MarkDirtyCommand(List<EventRecord> stored)
    {
        var sites = new List<string>();
        var hours = new List<DateTimeOffset>();
        foreach (var e in stored)
        {
            var hour = new DateTimeOffset(e.Timestamp.UtcTicks - (e.Timestamp.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
            if (sites.Count == 0 || hours[^1] != hour || !string.Equals(sites[^1], e.SiteId, StringComparison.Ordinal))
            {
                sites.Add(e.SiteId);
                hours.Add(hour);
            }
        }
        return new NpgsqlBatchCommand("SELECT eventide.mark_aggregates_dirty($1::text[], $2::timestamptz[])")
        {
            Parameters = { new() { Value = sites.ToArray() }, new() { Value = hours.ToArray() } },
        };
    }

    /// <summary>
    /// Un-registers the materialized property days (migration 0160) that the stored events older
    /// than the start of the current UTC day fall into, in the same commit as the events, under
    /// each day's shared lock; null when there are none. fast path: events of the current day
    /// (nearly all) can be in no materialized day, so the common batch sends nothing.
    /// </summary>
    internal static NpgsqlBatchCommand? ForgetPropertyDaysCommand(List<EventRecord> stored, DateTimeOffset now)
    {
        var today = now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerDay);
        List<string>? sites = null;
        List<DateTimeOffset>? days = null;
        foreach (var e in stored)
        {
            if (e.Timestamp.UtcTicks >= today)
            {
                continue;
            }
            var day = new DateTimeOffset(e.Timestamp.UtcTicks - (e.Timestamp.UtcTicks % TimeSpan.TicksPerDay), TimeSpan.Zero);
            sites ??= [];
            days ??= [];
            if (sites.Count == 0 || days[^1] != day || !string.Equals(sites[^1], e.SiteId, StringComparison.Ordinal))
            {
                sites.Add(e.SiteId);
                days.Add(day);
            }
        }
        return sites is null ? null : new NpgsqlBatchCommand("SELECT eventide.forget_property_days($1::text[], $2::timestamptz[])")
        {
            Parameters = { new() { Value = sites.ToArray() }, new() { Value = days!.ToArray() } },
        };
    }
}
