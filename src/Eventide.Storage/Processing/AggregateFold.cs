using Eventide.Core;
using Npgsql;

namespace Eventide.Storage.Processing;

/// <summary>
/// The storing transaction's fold of the events it inserted into plain mode's materialized
/// aggregates (eventide.fold_aggregates, migration 0150, which also argues why the result is
/// exact). The events are counted here, so the database upserts one row per (site, minute,
/// name, path), per (site, hour, user) and per (site, day, name, user) rather than one per
/// event; each key is sent once, as the upsert requires.
/// </summary>
internal static class AggregateFold
{
    internal const string Sql = """
        SELECT eventide.fold_aggregates($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::bigint[],
                                        $6::text[], $7::timestamptz[], $8::text[], $9::bigint[],
                                        $10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::bigint[])
        """;

    /// <param name="stored">Exactly the events the transaction inserted.</param>
    public static NpgsqlBatchCommand Command(IReadOnlyList<EventRecord> stored)
    {
        var minutes = new Dictionary<(string Site, long Minute, string Name, string? Path), long>();
        var userHours = new Dictionary<(string Site, long Hour, string User), long>();
        var nameUserDays = new Dictionary<(string Site, long Day, string Name, string User), long>();
        foreach (var e in stored)
        {
            var ticks = e.Timestamp.UtcTicks;
            var minute = ticks - (ticks % TimeSpan.TicksPerMinute);
            Add(minutes, (e.SiteId, minute, e.Name, e.Path));
            if (e.UserId is { } user)
            {
                Add(userHours, (e.SiteId, ticks - (ticks % TimeSpan.TicksPerHour), user));
                Add(nameUserDays, (e.SiteId, ticks - (ticks % TimeSpan.TicksPerDay), e.Name, user));
            }
        }

        var command = new NpgsqlBatchCommand(Sql);
        var m = minutes.Keys.ToArray();
        command.Parameters.Add(new() { Value = Array.ConvertAll(m, k => k.Site) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(m, k => Utc(k.Minute)) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(m, k => k.Name) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(m, k => k.Path) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(m, k => minutes[k]) });
        var u = userHours.Keys.ToArray();
        command.Parameters.Add(new() { Value = Array.ConvertAll(u, k => k.Site) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(u, k => Utc(k.Hour)) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(u, k => k.User) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(u, k => userHours[k]) });
        var n = nameUserDays.Keys.ToArray();
        command.Parameters.Add(new() { Value = Array.ConvertAll(n, k => k.Site) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(n, k => Utc(k.Day)) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(n, k => k.Name) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(n, k => k.User) });
        command.Parameters.Add(new() { Value = Array.ConvertAll(n, k => nameUserDays[k]) });
        return command;
    }

    private static void Add<TKey>(Dictionary<TKey, long> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);
}
