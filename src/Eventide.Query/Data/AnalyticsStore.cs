using System.Text.Json;
using Eventide.Query.Contracts;
using Npgsql;

namespace Eventide.Query.Data;

/// <summary>
/// The query role's SQL. Every statement reads the same relation names in
/// plain and Timescale modes; sums are cast to bigint because Timescale's
/// sum(bigint) is numeric. Ties are broken by key in byte order (COLLATE "C")
/// so answers do not depend on the database's collation.
/// </summary>
public sealed class AnalyticsStore(NpgsqlDataSource dataSource)
{
    /// <summary>The event name that counts as a pageview.</summary>
    public const string Pageview = "pageview";

    public async Task<SummaryResult> SummaryAsync(string site, TimeRange range, int limit, CancellationToken ct)
    {
        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var pv = sql.Param(Pageview);
        var lim = sql.Param(limit);
        var parts = sql.EventParts(s, RangePlan.ForEvents(range));
        var users = sql.UserParts(s, RangePlan.ForUsers(range));
        sql.Append($"""
            WITH parts AS ({parts}),
            users AS ({users}),
            np AS MATERIALIZED (SELECT name, path, sum(events)::bigint AS events FROM parts GROUP BY name, path)
            SELECT 0, NULL::text, coalesce(sum(events), 0)::bigint FROM np
            UNION ALL SELECT 1, NULL, coalesce(sum(events) FILTER (WHERE name = {pv}), 0)::bigint FROM np
            UNION ALL SELECT 2, NULL, count(DISTINCT user_id)::bigint FROM users
            UNION ALL (SELECT 3, path, sum(events)::bigint AS v FROM np WHERE name = {pv} AND path IS NOT NULL
                       GROUP BY path ORDER BY v DESC, path COLLATE "C" LIMIT {lim})
            UNION ALL (SELECT 4, name, sum(events)::bigint AS v FROM np GROUP BY name ORDER BY v DESC, name COLLATE "C" LIMIT {lim})
            """);
        await using var cmd = sql.ToCommand(dataSource);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        long events = 0, pageviews = 0, usersCount = 0;
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
                default: names.Add(new NameEvents(reader.GetString(1), value)); break;
            }
        }
        // UNION ALL does not promise to keep each branch's order.
        paths.Sort((a, b) => b.Pageviews != a.Pageviews ? b.Pageviews.CompareTo(a.Pageviews) : string.CompareOrdinal(a.Path, b.Path));
        names.Sort((a, b) => b.Events != a.Events ? b.Events.CompareTo(a.Events) : string.CompareOrdinal(a.Name, b.Name));
        return new SummaryResult(events, pageviews, usersCount, paths, names);
    }

    public async Task<IReadOnlyList<TimeseriesPoint>> TimeseriesAsync(string site, TimeRange range, Granularity interval, string? name, CancellationToken ct)
    {
        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var n = name is null ? null : sql.Param(name);
        var width = sql.Param(TimeBuckets.Width(interval));
        var parts = sql.EventParts(s, RangePlan.ForEvents(range, interval), n);
        // users_1h nests inside hour and day points only; per-minute users and
        // users of one event name come from raw events.
        var userPlan = interval == Granularity.Minute || name is not null
            ? [new RangeSegment(RangeSource.Raw, range)]
            : RangePlan.ForUsers(range);
        var users = sql.UserParts(s, userPlan, n);
        sql.Append($"""
            WITH parts AS ({parts}),
            users AS ({users})
            SELECT b, sum(e)::bigint, sum(u)::bigint FROM (
                SELECT date_bin({width}, bucket, {SqlBuilder.Origin}) AS b, sum(events) AS e, 0::bigint AS u FROM parts GROUP BY 1
                UNION ALL
                SELECT date_bin({width}, bucket, {SqlBuilder.Origin}), 0, count(DISTINCT user_id) FROM users GROUP BY 1
            ) x GROUP BY b
            """);
        var found = new Dictionary<DateTimeOffset, (long Events, long Users)>();
        await using (var cmd = sql.ToCommand(dataSource))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                found[reader.GetFieldValue<DateTimeOffset>(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }
        }
        // Empty buckets have no rows; the answer has every bucket of the range.
        return TimeBuckets.Starts(range, interval)
            .Select(b => found.TryGetValue(b, out var v) ? new TimeseriesPoint(b, v.Events, v.Users) : new TimeseriesPoint(b, 0, 0))
            .ToList();
    }

    public async Task<IReadOnlyList<BreakdownRow>> BreakdownAsync(string site, TimeRange range, BreakdownDimension by, int limit, CancellationToken ct)
    {
        var sql = new SqlBuilder();
        var s = sql.Param(site);
        var lim = sql.Param(limit);
        if (by == BreakdownDimension.Referrer)
        {
            // The aggregates have no referrer: raw events over the range.
            var (from, to) = (sql.Param(range.From), sql.Param(range.To));
            sql.Append($"""
                SELECT referrer, count(*)::bigint AS v FROM eventide.events
                WHERE site_id = {s} AND time >= {from} AND time < {to}
                GROUP BY referrer ORDER BY v DESC, referrer COLLATE "C" NULLS LAST LIMIT {lim}
                """);
        }
        else
        {
            var key = by == BreakdownDimension.Path ? "path" : "name";
            var parts = sql.EventParts(s, RangePlan.ForEvents(range));
            sql.Append($"""
                WITH parts AS ({parts})
                SELECT {key}, sum(events)::bigint AS v FROM parts
                GROUP BY {key} ORDER BY v DESC, {key} COLLATE "C" NULLS LAST LIMIT {lim}
                """);
        }
        await using var cmd = sql.ToCommand(dataSource);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<BreakdownRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new BreakdownRow(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1)));
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
            var match = $"e.site_id = {s} AND e.time >= {from} AND e.time < {to} AND e.user_id IS NOT NULL AND e.name = {sql.Param(step.Name!)}"
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
        foreach (var (column, value) in new[] { ("name", filter.Name), ("path", filter.Path), ("user_id", filter.UserId), ("session_id", filter.SessionId) })
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

    /// <summary>Events whose time is in [from, to): served by the (site_id, time DESC) index.</summary>
    public async Task<long> CountAsync(string site, TimeRange range, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM eventide.events WHERE site_id = $1 AND time >= $2 AND time < $3");
        cmd.Parameters.AddWithValue(site);
        cmd.Parameters.AddWithValue(range.From);
        cmd.Parameters.AddWithValue(range.To);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
