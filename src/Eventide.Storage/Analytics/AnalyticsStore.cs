using System.Text.Json;
using Npgsql;

namespace Eventide.Storage.Analytics;

/// <summary>
/// The query role's SQL. Every statement reads the same relation names in
/// plain and Timescale modes; sums are cast to bigint because Timescale's
/// sum(bigint) is numeric. Ties are broken by key in byte order (COLLATE "C")
/// so answers do not depend on the database's collation.
/// </summary>
public sealed class AnalyticsStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Dirty runs (consecutive dirty hours) in a range above which plain mode reads the views
    /// instead: each run is a raw piece of its own in every statement, and past a few dozen the
    /// statement's planning costs more than the views' per-row test. The processor marks the
    /// hours it writes, so in steady state a range holds a handful of runs (the last hours,
    /// a late event's hour).
    /// </summary>
    internal const int MaxDirtyRuns = 64;

    // The mode is fixed when the schema is created (the migrator refuses to switch it), so it
    // is read once.
    private StorageMode? _mode;

    /// <summary>
    /// Totals for a range. Counts come from the aggregates unless a property filter forces raw
    /// events; unique users from users_1h unless any filter does (users_1h has no name, path or
    /// properties). <paramref name="pageviewNames"/> are the names that count as pageviews.
    /// </summary>
    public async Task<SummaryResult> SummaryAsync(string site, TimeRange range, int limit, QueryFilter where,
        IReadOnlyList<string> pageviewNames, string? goal, CancellationToken ct) =>
        (await SummariesAsync(site, [(range, limit)], where, pageviewNames, goal, ct))[0];

    /// <summary>
    /// <see cref="SummaryAsync"/> for several periods (a range and its previous period) in one
    /// round trip and one snapshot, so the periods' figures are from the same moment.
    /// </summary>
    public async Task<IReadOnlyList<SummaryResult>> SummariesAsync(string site, IReadOnlyList<(TimeRange Range, int Limit)> periods, QueryFilter where,
        IReadOnlyList<string> pageviewNames, string? goal, CancellationToken ct)
    {
        var covering = new TimeRange(periods.Min(p => p.Range.From), periods.Max(p => p.Range.To));
        await using var read = await BeginAggregateReadAsync(site, covering, ct);
        await using var batch = read.CreateBatch();
        foreach (var (range, limit) in periods)
        {
            batch.BatchCommands.Add(SummaryStatement(read, site, range, limit, where, pageviewNames, goal).ToBatchCommand());
        }
        var results = new List<SummaryResult>(periods.Count);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                results.Add(await ReadSummaryAsync(reader, ct));
            }
            while (await reader.NextResultAsync(ct));
        }
        await read.CommitAsync(ct);
        return results;
    }

    private static SqlBuilder SummaryStatement(AggregateRead read, string site, TimeRange range, int limit, QueryFilter where,
        IReadOnlyList<string> pageviewNames, string? goal)
    {
        var sql = new SqlBuilder { ReadsMaterialized = read.DirtyHours is not null };
        var s = sql.Param(site);
        var pv = sql.Param(pageviewNames.ToArray());
        var lim = sql.Param(limit);
        var parts = sql.EventParts(s, read.Plan(EventPlan(range, where)), where);
        var users = sql.UserParts(s, read.Plan(UserPlan(range, where)), where);
        var goalBranch = goal is null ? "" : $"""

            UNION ALL SELECT 5, NULL, count(*)::bigint FROM (SELECT DISTINCT user_id FROM ({GoalUserParts(sql, s, range, where, goal)}) g) gu
            """;
        // Distinct users as a DISTINCT subquery, not count(DISTINCT): a hash aggregate instead of
        // a sort comparing texts under the database collation (2.4 times faster over 30 days of
        // users_1d on the benchmark's dataset).
        sql.Append($"""
            WITH parts AS ({parts}),
            users AS ({users}),
            np AS MATERIALIZED (SELECT name, path, sum(events)::bigint AS events FROM parts GROUP BY name, path)
            SELECT 0, NULL::text, coalesce(sum(events), 0)::bigint FROM np
            UNION ALL SELECT 1, NULL, coalesce(sum(events) FILTER (WHERE name = ANY({pv})), 0)::bigint FROM np
            UNION ALL SELECT 2, NULL, count(*)::bigint FROM (SELECT DISTINCT user_id FROM users) u
            UNION ALL (SELECT 3, path, sum(events)::bigint AS v FROM np WHERE name = ANY({pv}) AND path IS NOT NULL
                       GROUP BY path ORDER BY v DESC, path COLLATE "C" LIMIT {lim})
            UNION ALL (SELECT 4, name, sum(events)::bigint AS v FROM np GROUP BY name ORDER BY v DESC, name COLLATE "C" LIMIT {lim}){goalBranch}
            """);
        return sql;
    }

    private static async Task<SummaryResult> ReadSummaryAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        long events = 0, pageviews = 0, usersCount = 0;
        long? goalUsers = null;
        var paths = new List<PathPageviews>();
        var names = new List<NameEvents>();
        while (await reader.ReadAsync(ct))
        {
            var value = reader.GetInt64(2);
            switch (reader.GetInt32(0))
            {
                case 0: events = value; break;
                case 1: pageviews = value; break;
                case 2: usersCount = value; break;
                case 3: paths.Add(new PathPageviews(reader.GetString(1), value)); break;
                case 4: names.Add(new NameEvents(reader.GetString(1), value)); break;
                default: goalUsers = value; break;
            }
        }
        // UNION ALL does not promise to keep each branch's order.
        paths.Sort((a, b) => b.Pageviews != a.Pageviews ? b.Pageviews.CompareTo(a.Pageviews) : string.CompareOrdinal(a.Path, b.Path));
        names.Sort((a, b) => b.Events != a.Events ? b.Events.CompareTo(a.Events) : string.CompareOrdinal(a.Name, b.Name));
        return new SummaryResult(events, pageviews, usersCount, paths, names, goalUsers);
    }

    /// <summary>
    /// The users who sent <paramref name="goal"/>: name_users_1d for whole days, raw events for
    /// the edges (30 days of a goal read about a day's worth of rows instead of every goal
    /// event). With a filter only raw events can answer (name_users_1d has no path or properties).
    /// </summary>
    private static string GoalUserParts(SqlBuilder sql, string s, TimeRange range, QueryFilter where, string goal)
    {
        var (_, raw) = sql.Conditions(where);
        var g = sql.Param(goal);
        var parts = new List<string>();
        foreach (var segment in where.IsEmpty ? RangePlan.ForDays(range) : Raw(range))
        {
            var (from, to) = (sql.Param(segment.Range.From), sql.Param(segment.Range.To));
            parts.Add(segment.Source == RangeSource.Day
                ? $"SELECT user_id FROM eventide.name_users_1d WHERE site_id = {s} AND name = {g} AND bucket >= {from} AND bucket < {to}"
                : $"SELECT user_id FROM eventide.events WHERE site_id = {s} AND time >= {from} AND time < {to} AND user_id IS NOT NULL AND name = {g}{raw}");
        }
        return parts.Count == 0 ? "SELECT NULL::text AS user_id WHERE false" : string.Join("\n  UNION ALL ", parts);
    }

    public async Task<IReadOnlyList<TimeseriesPoint>> TimeseriesAsync(string site, TimeRange range, Granularity interval, QueryFilter where, Metric? metric, CancellationToken ct)
    {
        await using var read = await BeginAggregateReadAsync(site, range, ct);
        var sql = new SqlBuilder { ReadsMaterialized = read.DirtyHours is not null };
        var s = sql.Param(site);
        var width = sql.Param(TimeBuckets.Width(interval));
        var parts = sql.EventParts(s, where.HasProperties ? Raw(range) : read.Plan(RangePlan.ForEvents(range, interval)), where);
        // users_1h nests inside hour and day points only, users_1d inside day points only;
        // per-minute users and filtered users come from raw events.
        var userPlan = interval == Granularity.Minute || !where.IsEmpty ? Raw(range) : read.Plan(RangePlan.ForUsers(range, interval));
        var users = sql.UserCounts(s, userPlan, where, interval, width);
        var metricBranch = "";
        if (metric is not null)
        {
            var (_, raw) = sql.Conditions(where);
            var (value, skipped, present) = MetricColumns(sql, metric);
            // Events without the property add to neither value nor skipped: leaving them out
            // before grouping spares the aggregate most rows (purchases carry revenue, page
            // views do not). A bucket without such events then has no metric row, which reads
            // as the empty metric, as a row over no numbers would.
            metricBranch = $"""

                UNION ALL
                SELECT date_bin({width}, time, {SqlBuilder.Origin}), 0, 0, {value}, {skipped} FROM eventide.events
                WHERE site_id = {s} AND time >= {sql.Param(range.From)} AND time < {sql.Param(range.To)} AND {present}{raw} GROUP BY 1
                """;
        }
        sql.Append($"""
            WITH parts AS ({parts}),
            users AS ({users})
            SELECT b, sum(e)::bigint, sum(u)::bigint, sum(m), sum(k)::bigint FROM (
                SELECT date_bin({width}, bucket, {SqlBuilder.Origin}) AS b, sum(events) AS e, 0::bigint AS u, NULL::numeric AS m, 0::bigint AS k FROM parts GROUP BY 1
                UNION ALL
                SELECT b, 0, u, NULL, 0 FROM users{metricBranch}
            ) x GROUP BY b
            """);
        var found = new Dictionary<DateTimeOffset, TimeseriesPoint>();
        await using (var batch = read.CreateBatch())
        {
            if (metric is not null || where.HasProperties)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(SqlBuilder.WithoutJitSql));
            }
            batch.BatchCommands.Add(sql.ToBatchCommand());
            await using var reader = await ExecuteAsync(batch, ct);
            while (await reader.ReadAsync(ct))
            {
                var bucket = reader.GetFieldValue<DateTimeOffset>(0);
                found[bucket] = new TimeseriesPoint(bucket, reader.GetInt64(1), reader.GetInt64(2),
                    metric is null ? null : reader.IsDBNull(3) ? MetricEmpty(metric) : reader.GetDecimal(3),
                    metric is null ? null : reader.GetInt64(4));
            }
        }
        await read.CommitAsync(ct);
        // Empty buckets have no rows; the answer has every bucket of the range.
        return TimeBuckets.Starts(range, interval)
            .Select(b => found.TryGetValue(b, out var v) ? v : new TimeseriesPoint(b, 0, 0, metric is null ? null : MetricEmpty(metric), metric is null ? null : 0))
            .ToList();
    }

    /// <summary>
    /// Events per key, most first (by the metric's value first when one is given). Path and name
    /// without property filters or metric come from the aggregates; everything else from raw events.
    /// </summary>
    public async Task<IReadOnlyList<BreakdownRow>> BreakdownAsync(string site, TimeRange range, BreakdownKey by, QueryFilter where, Metric? metric, int limit, CancellationToken ct)
    {
        if (by.Dimension == BreakdownDimension.Property && where.Path is null && !where.HasProperties)
        {
            return await PropertyBreakdownAsync(site, range, by.Property!, where.Name, metric, limit, ct);
        }
        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var lim = sql.Param(limit);
        var fromAggregates = by.Dimension is BreakdownDimension.Path or BreakdownDimension.Name && metric is null && !where.HasProperties;
        if (fromAggregates)
        {
            var key = by.Dimension == BreakdownDimension.Path ? "path" : "name";
            var parts = sql.EventParts(s, RangePlan.ForEvents(range), where);
            sql.Append($"""
                WITH parts AS ({parts})
                SELECT {key}, sum(events)::bigint AS v, NULL::numeric, NULL::bigint FROM parts
                GROUP BY {key} ORDER BY v DESC, {key} COLLATE "C" NULLS LAST LIMIT {lim}
                """);
        }
        else
        {
            var column = by.Dimension switch
            {
                BreakdownDimension.Path => "path",
                BreakdownDimension.Name => "name",
                BreakdownDimension.Referrer => "referrer",
                BreakdownDimension.User => "user_id",
                _ => $"properties->>{sql.Param(by.Property!)}",
            };
            var (_, raw) = sql.Conditions(where);
            var (value, skipped, _) = metric is null ? ("NULL::numeric", "NULL::bigint", "") : MetricColumns(sql, metric);
            var order = metric is null ? "" : "m DESC NULLS LAST, ";
            sql.Append($"""
                SELECT k, count(*)::bigint AS v, {value} AS m, {skipped} FROM (
                    SELECT {column} AS k, properties FROM eventide.events
                    WHERE site_id = {s} AND time >= {sql.Param(range.From)} AND time < {sql.Param(range.To)}{raw}) x
                GROUP BY k ORDER BY {order}v DESC, k COLLATE "C" NULLS LAST LIMIT {lim}
                """);
        }
        await using var batch = Batch(sql, rawScan: !fromAggregates);
        await using var reader = await ExecuteAsync(batch, ct);
        return await ReadBreakdownAsync(reader, metric, ct);
    }

    /// <summary>
    /// by=property:<paramref name="key"/>, optionally for one event name: whole days registered
    /// in property_day_state from the property-day aggregate (migration 0160), the rest of the
    /// range (its edges, today, days not materialized yet or whose key is a fallback) from raw
    /// events, regrouped. Both reads run in one repeatable-read transaction, so they see one
    /// snapshot: a late event either un-registered its day in that snapshot (and is read raw)
    /// or is not in it at all. An average is the summed sum over the summed count of numbers,
    /// the division PostgreSQL's avg does, so the value equals a raw read's.
    /// </summary>
    private async Task<IReadOnlyList<BreakdownRow>> PropertyBreakdownAsync(string site, TimeRange range, string key, string? name, Metric? metric, int limit, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var withKey = new List<DateTimeOffset>();
        var withoutKey = new List<DateTimeOffset>();
        var (firstDay, endDay) = (TimeBuckets.Ceiling(range.From, Granularity.Day), TimeBuckets.Floor(range.To, Granularity.Day));
        if (firstDay < endDay)
        {
            // A day is usable for the key unless the key is a fallback there; for the metric's key
            // if it has metric rows there or is absent that day (no number, nothing skipped).
            await using var days = new NpgsqlCommand("""
                SELECT day, $4 = ANY(keys) FROM eventide.property_day_state
                WHERE site_id = $1 AND day >= $2 AND day < $3 AND NOT ($4 = ANY(fallback_keys))
                  AND ($5::text IS NULL OR $5 = ANY(metric_keys) OR NOT ($5 = ANY(keys || fallback_keys)))
                """, conn, tx);
            days.Parameters.AddWithValue(site);
            days.Parameters.AddWithValue(firstDay);
            days.Parameters.AddWithValue(endDay);
            days.Parameters.AddWithValue(key);
            days.Parameters.Add(new NpgsqlParameter { Value = (object?)metric?.Property ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await days.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                (reader.GetBoolean(1) ? withKey : withoutKey).Add(reader.GetFieldValue<DateTimeOffset>(0));
            }
        }
        var raw = RawRanges(range, withKey.Concat(withoutKey));

        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var k = sql.Param(key);
        var nameCondition = name is null ? "" : $" AND name = {sql.Param(name)}";
        var parts = new List<string>();
        if (raw.Count > 0)
        {
            var ranges = string.Join(" OR ", raw.Select(r => $"(time >= {sql.Param(r.From)} AND time < {sql.Param(r.To)})"));
            var (sum, numbers, skipped) = metric is null ? ("NULL::numeric", "NULL::bigint", "NULL::bigint") : MetricParts(sql, metric);
            parts.Add($"""
                SELECT properties->>{k} AS k, count(*)::bigint AS v, {sum} AS ms, {numbers} AS mn, {skipped} AS sk FROM eventide.events
                WHERE site_id = {s} AND ({ranges}){nameCondition} GROUP BY 1
                """);
        }
        if (withKey.Count > 0)
        {
            var d = sql.Param(withKey.ToArray());
            parts.Add($"SELECT value, events, NULL::numeric, NULL::bigint, NULL::bigint FROM eventide.property_days WHERE site_id = {s} AND day = ANY({d}) AND key = {k}{nameCondition}");
            if (metric is not null)
            {
                parts.Add($"""
                    SELECT value, 0::bigint, sum, numbers, skipped FROM eventide.property_metric_days
                    WHERE site_id = {s} AND day = ANY({d}) AND metric_key = {sql.Param(metric.Property)} AND key = {k}{nameCondition}
                    """);
            }
        }
        if (withoutKey.Count > 0)
        {
            // The key is on no event of these days: every event is in the row without it.
            var d = sql.Param(withoutKey.ToArray());
            parts.Add($"SELECT NULL::text, events, NULL::numeric, NULL::bigint, NULL::bigint FROM eventide.property_days WHERE site_id = {s} AND day = ANY({d}) AND key IS NULL{nameCondition}");
            if (metric is not null)
            {
                parts.Add($"""
                    SELECT NULL::text, 0::bigint, sum, numbers, skipped FROM eventide.property_metric_days
                    WHERE site_id = {s} AND day = ANY({d}) AND metric_key = {sql.Param(metric.Property)} AND key IS NULL{nameCondition}
                    """);
            }
        }
        var value = metric?.Kind switch
        {
            null => "NULL::numeric",
            MetricKind.Sum => "sum(ms)",
            _ => "sum(ms) / nullif(sum(mn), 0)",
        };
        var order = metric is null ? "" : "m DESC NULLS LAST, ";
        var union = parts.Count == 0
            ? "SELECT NULL::text AS k, 0::bigint AS v, NULL::numeric AS ms, NULL::bigint AS mn, NULL::bigint AS sk WHERE false"
            : string.Join("\nUNION ALL\n", parts);
        // A value's metric rows carry no events (v = 0) beside its event rows, never alone.
        sql.Append($"""
            SELECT k, sum(v)::bigint AS v, {value} AS m, coalesce(sum(sk), 0)::bigint FROM (
            {union}
            ) x (k, v, ms, mn, sk)
            GROUP BY k HAVING sum(v) > 0 ORDER BY {order}v DESC, k COLLATE "C" NULLS LAST LIMIT {sql.Param(limit)}
            """);
        await using var batch = new NpgsqlBatch(conn, tx);
        if (raw.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(SqlBuilder.WithoutJitSql));
        }
        batch.BatchCommands.Add(sql.ToBatchCommand());
        await using (var reader = await ExecuteAsync(batch, ct))
        {
            var rows = await ReadBreakdownAsync(reader, metric, ct);
            await reader.CloseAsync();
            await tx.CommitAsync(ct);
            return rows;
        }
    }

    /// <summary>The parts of <paramref name="range"/> outside the given whole days, merged where adjacent.</summary>
    internal static List<TimeRange> RawRanges(TimeRange range, IEnumerable<DateTimeOffset> days)
    {
        var result = new List<TimeRange>();
        var at = range.From;
        foreach (var day in days.Order())
        {
            if (day > at)
            {
                result.Add(new TimeRange(at, day));
            }
            at = day.AddDays(1);
        }
        if (at < range.To)
        {
            result.Add(new TimeRange(at, range.To));
        }
        return result;
    }

    private static async Task<IReadOnlyList<BreakdownRow>> ReadBreakdownAsync(NpgsqlDataReader reader, Metric? metric, CancellationToken ct)
    {
        var rows = new List<BreakdownRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new BreakdownRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1),
                metric is null ? null : reader.IsDBNull(2) ? MetricEmpty(metric) : reader.GetDecimal(2),
                metric is null ? null : reader.GetInt64(3)));
        }
        return rows;
    }

    /// <summary>
    /// Users reaching each step. Per user: the anchor is their earliest step-1
    /// event in the range; each later step is the earliest matching event
    /// strictly after the previous step's event and no later than anchor +
    /// window (and before the range's end). Taking the earliest match at each
    /// step is optimal for a fixed anchor, so this counts exactly the users
    /// for whom such a sequence exists.
    /// </summary>
    public async Task<IReadOnlyList<long>> FunnelAsync(string site, TimeRange range, FunnelDefinition funnel, CancellationToken ct)
    {
        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var (from, to) = (sql.Param(range.From), sql.Param(range.To));
        var window = sql.Param(funnel.Window);
        var ctes = new List<string>();
        for (var i = 0; i < funnel.Steps.Count; i++)
        {
            var step = funnel.Steps[i];
            var match = $"e.site_id = {s} AND e.time >= {from} AND e.time < {to} AND e.user_id IS NOT NULL AND e.name = {sql.Param(step.Name)}"
                + (step.Path is null ? "" : $" AND e.path = {sql.Param(step.Path)}");
            ctes.Add(i == 0
                ? $"s1 AS (SELECT e.user_id, min(e.time) AS anchor, min(e.time) AS t FROM eventide.events e WHERE {match} GROUP BY e.user_id)"
                : $"""
                   s{i + 1} AS (SELECT p.user_id, p.anchor, min(e.time) AS t FROM s{i} p
                       JOIN eventide.events e ON e.user_id = p.user_id AND e.time > p.t AND e.time <= p.anchor + {window}
                       WHERE {match} GROUP BY p.user_id, p.anchor)
                   """);
        }
        var counts = string.Join(", ", Enumerable.Range(1, funnel.Steps.Count).Select(i => $"(SELECT count(*) FROM s{i})"));
        sql.Append($"WITH {string.Join(",\n", ctes)}\nSELECT {counts}");
        await using var cmd = sql.ToCommand(dataSource);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Enumerable.Range(0, funnel.Steps.Count).Select(reader.GetInt64).ToList();
    }

    /// <summary>A page of raw events in (time DESC, event_id DESC) order after the cursor; one extra row tells whether more follow.</summary>
    public async Task<(IReadOnlyList<StoredEvent> Events, EventCursor? Next)> EventsAsync(
        string site, TimeRange range, EventFilter filter, EventCursor? after, int limit, CancellationToken ct)
    {
        var sql = new SqlBuilder();
        sql.Append($"""
            SELECT time, event_id, name, path, referrer, user_id, session_id, properties::text, received_at
            FROM eventide.events
            WHERE site_id = {sql.Param(site)} AND time >= {sql.Param(range.From)} AND time < {sql.Param(range.To)}
            """);
        sql.Append(sql.Conditions(filter.Where).Raw);
        foreach (var (column, value) in new[] { ("user_id", filter.UserId), ("session_id", filter.SessionId) })
        {
            if (value is not null)
            {
                sql.Append($" AND {column} = {sql.Param(value)}");
            }
        }
        if (after is { } c)
        {
            var t = sql.Param(c.Time);
            sql.Append($" AND (time < {t} OR (time = {t} AND event_id COLLATE \"C\" < {sql.Param(c.EventId)}))");
        }
        sql.Append($" ORDER BY time DESC, event_id COLLATE \"C\" DESC LIMIT {sql.Param(limit + 1)}");
        await using var cmd = sql.ToCommand(dataSource);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var events = new List<StoredEvent>(Math.Min(limit, 128));
        var more = false;
        while (await reader.ReadAsync(ct))
        {
            if (events.Count == limit)
            {
                more = true;
                break;
            }
            JsonElement? properties = null;
            if (!reader.IsDBNull(7))
            {
                using var doc = JsonDocument.Parse(reader.GetString(7));
                properties = doc.RootElement.Clone();
            }
            events.Add(new StoredEvent(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2),
                NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5), NullableString(reader, 6),
                properties, reader.GetFieldValue<DateTimeOffset>(8)));
        }
        var next = more ? new EventCursor(events[^1].Time, events[^1].EventId) : (EventCursor?)null;
        return (events, next);
    }

    /// <summary>The newest events (at most <paramref name="limit"/>) whose time is in [from, to), oldest first: the live feed.</summary>
    public async Task<IReadOnlyList<StoredEvent>> RecentAsync(string site, TimeRange range, int limit, CancellationToken ct)
    {
        var (events, _) = await EventsAsync(site, range, new EventFilter(QueryFilter.None, null, null), null, limit, ct);
        return events.Reverse().ToList();
    }

    /// <summary>Events whose time is in [from, to): served by the (site_id, time DESC) index.</summary>
    public async Task<long> CountAsync(string site, TimeRange range, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM eventide.events WHERE site_id = $1 AND time >= $2 AND time < $3");
        cmd.Parameters.AddWithValue(site);
        cmd.Parameters.AddWithValue(range.From);
        cmd.Parameters.AddWithValue(range.To);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A sum over no numbers is 0; an average over none has no value.</summary>
    private static decimal? MetricEmpty(Metric metric) => metric.Kind == MetricKind.Sum ? 0m : null;

    /// <summary>
    /// The metric over raw events, the count of events whose property is present but not a
    /// JSON number (JSON null included: those are skipped, never guessed at), and the condition
    /// that the property is present. The jsonb number is cast to numeric directly (the same
    /// value and scale as parsing its text, without printing and parsing it), and jsonb_typeof,
    /// which is null for an absent key, decides "present and not a number" with one lookup.
    /// </summary>
    private static (string Value, string Skipped, string Present) MetricColumns(SqlBuilder sql, Metric metric)
    {
        var v = $"(properties->{sql.Param(metric.Property)})";
        var number = $"CASE WHEN jsonb_typeof({v}) = 'number' THEN {v}::numeric END";
        var value = metric.Kind == MetricKind.Sum ? $"sum({number})" : $"avg({number})";
        return (value, $"count(*) FILTER (WHERE jsonb_typeof({v}) <> 'number')::bigint", $"{v} IS NOT NULL");
    }

    /// <summary>
    /// The parts of a metric over raw events that regroup: the sum of the numbers, how many were
    /// numbers and how many were present but not numbers (see <see cref="MetricColumns"/>).
    /// </summary>
    private static (string Sum, string Numbers, string Skipped) MetricParts(SqlBuilder sql, Metric metric)
    {
        var v = $"(properties->{sql.Param(metric.Property)})";
        return ($"sum(CASE WHEN jsonb_typeof({v}) = 'number' THEN {v}::numeric END)",
            $"count(*) FILTER (WHERE jsonb_typeof({v}) = 'number')::bigint",
            $"count(*) FILTER (WHERE jsonb_typeof({v}) <> 'number')::bigint");
    }

    /// <summary>The statement as a batch; one that scans raw events runs without JIT (<see cref="SqlBuilder.ToBatchWithoutJit"/>).</summary>
    private NpgsqlBatch Batch(SqlBuilder sql, bool rawScan) => rawScan ? sql.ToBatchWithoutJit(dataSource) : sql.ToBatch(dataSource);

    /// <summary>Runs the batch and positions the reader on the statement's rows (past the JIT setting's row, if any).</summary>
    private static async Task<NpgsqlDataReader> ExecuteAsync(NpgsqlBatch batch, CancellationToken ct)
    {
        var reader = await batch.ExecuteReaderAsync(ct);
        if (batch.BatchCommands.Count > 1)
        {
            await reader.NextResultAsync(ct);
        }
        return reader;
    }

    /// <summary>
    /// A connection for reading the aggregates of <paramref name="range"/>. Plain mode: a
    /// repeatable-read transaction, and the site's dirty hours in the range read in its
    /// snapshot, so every statement that follows sees the same marks as the materialized rows
    /// (the processor marks an hour in the commit that stores its events, the refresher clears
    /// it in the commit that rewrites its rows). Those statements read the materialized tables
    /// on plans kept off the dirty hours, which they read raw.
    /// </summary>
    private async Task<AggregateRead> BeginAggregateReadAsync(string site, TimeRange range, CancellationToken ct)
    {
        _mode ??= (await Migrator.ReadStatusAsync(dataSource, ct))?.Mode
            ?? throw new InvalidOperationException("The eventide schema has not been migrated.");
        var conn = await dataSource.OpenConnectionAsync(ct);
        if (_mode != StorageMode.Plain)
        {
            return new AggregateRead(conn, null, null);
        }
        try
        {
            var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var hours = new List<DateTimeOffset>();
            await using (var cmd = new NpgsqlCommand(
                "SELECT hour FROM eventide.aggregate_dirty WHERE site_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour", conn, tx))
            {
                cmd.Parameters.AddWithValue(site);
                cmd.Parameters.AddWithValue(TimeBuckets.Floor(range.From, Granularity.Hour));
                cmd.Parameters.AddWithValue(range.To);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    hours.Add(reader.GetFieldValue<DateTimeOffset>(0));
                }
            }
            var runs = hours.Where((h, i) => i == 0 || hours[i - 1] + TimeSpan.FromHours(1) != h).Count();
            return new AggregateRead(conn, tx, runs <= MaxDirtyRuns ? hours : null);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An open read of the aggregates. <see cref="DirtyHours"/> is null when the statements read
    /// the views (Timescale mode, or too many dirty runs), else the dirty hours every plan must
    /// be kept off.
    /// </summary>
    private sealed class AggregateRead(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<DateTimeOffset>? dirtyHours)
        : IAsyncDisposable
    {
        public IReadOnlyList<DateTimeOffset>? DirtyHours => dirtyHours;

        public IReadOnlyList<RangeSegment> Plan(IReadOnlyList<RangeSegment> plan) =>
            dirtyHours is null ? plan : RangePlan.Excluding(plan, dirtyHours);

        public NpgsqlBatch CreateBatch()
        {
            var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            return batch;
        }

        public Task CommitAsync(CancellationToken ct) => transaction?.CommitAsync(ct) ?? Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
            await connection.DisposeAsync();
        }
    }

    private static IReadOnlyList<RangeSegment> Raw(TimeRange range) => [new RangeSegment(RangeSource.Raw, range)];

    private static IReadOnlyList<RangeSegment> EventPlan(TimeRange range, QueryFilter where) =>
        where.HasProperties ? Raw(range) : RangePlan.ForEvents(range);

    private static IReadOnlyList<RangeSegment> UserPlan(TimeRange range, QueryFilter where) =>
        where.IsEmpty ? RangePlan.ForUsers(range) : Raw(range);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
