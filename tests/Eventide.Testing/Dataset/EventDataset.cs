using System.Diagnostics;
using System.Globalization;
using Eventide.Bench;
using Eventide.Core;
using Eventide.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Eventide.Testing.Dataset;

/// <summary>
/// A deterministic analytics dataset: a fixed seed, 30 days, several sites of
/// very different sizes, Zipf-skewed paths and users (so users repeat),
/// several event names, referrers, some events without user or path,
/// pricing → signup → purchase journeys for funnels, a three-hour gap with no
/// events at all (empty buckets), and a burst of events sharing one timestamp
/// (cursor ties). Query tests load it into a database and compare the API's
/// answers with <see cref="Expectations"/> computed over <see cref="Events"/>.
/// </summary>
public sealed class EventDataset
{
    public const int Days = 30;
    public const int StandardSeed = 20261122;
    public const int StandardCount = 120_000;

    public static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = Start.AddDays(Days);

    /// <summary>No event of any site falls in this range.</summary>
    public static readonly (DateTimeOffset From, DateTimeOffset To) Gap = (Start.AddDays(10).AddHours(6), Start.AddDays(10).AddHours(9));

    /// <summary>Events of the first site that share this exact time (and differ in id).</summary>
    public static readonly DateTimeOffset TieTime = Start.AddDays(5).AddHours(12);
    public const int TieCount = 25;

    public static readonly string[] SiteIds = ["shop.example", "blog.example", "docs.example", "tiny.example"];
    private static readonly double[] SiteWeights = [0.45, 0.30, 0.20, 0.05];
    private static readonly (string Name, double Weight)[] Names =
        [("pageview", 0.68), ("click", 0.12), ("scroll", 0.10), ("search", 0.04), ("signup", 0.04), ("purchase", 0.02)];
    private static readonly double[] NameWeights = Names.Select(n => n.Weight).ToArray();
    private static readonly string?[] Referrers =
        [null, "https://www.google.com/", "https://news.ycombinator.com/", "https://github.com/", "https://twitter.com/", "https://duckduckgo.com/", "https://example.org/blog"];

    private static readonly Lazy<EventDataset> LazyStandard = new(() => Generate(StandardSeed, StandardCount));

    private EventDataset(IReadOnlyList<EventRecord> events) => Events = events;

    /// <summary>The standard dataset, generated once per test process.</summary>
    public static EventDataset Standard => LazyStandard.Value;

    public IReadOnlyList<EventRecord> Events { get; }

    public static EventDataset Generate(int seed, int count)
    {
        var rng = new Random(seed);
        var paths = Enumerable.Range(0, 150).Select(i => i switch
        {
            0 => "/",
            1 => "/pricing",
            2 => "/about",
            _ when i % 2 == 0 => $"/docs/page-{i}",
            _ => $"/blog/post-{i}",
        }).ToArray();
        var pathZipf = new Zipf(paths.Length, 1.2);
        var userZipf = new Zipf(4000, 1.1);
        var referrerZipf = new Zipf(Referrers.Length, 1.0);
        var events = new List<EventRecord>(count + (count / 20) + TieCount);

        for (var i = 0; i < count; i++)
        {
            var site = SiteIds[Pick(rng, SiteWeights)];
            var time = RandomTime(rng, Start, End);
            var user = rng.NextDouble() < 0.04 ? null : $"u{userZipf.Next(rng)}";
            var name = Names[Pick(rng, NameWeights)].Name;
            var path = rng.NextDouble() < 0.03 ? null : paths[pathZipf.Next(rng)];
            events.Add(Event(rng, site, name, time, path, Referrers[referrerZipf.Next(rng)], user));
        }

        // Journeys: pricing, then often signup, then sometimes purchase, at
        // random delays of up to 90 minutes each, so a 1 h funnel window
        // cuts some of them off.
        for (var j = 0; j < count / 40; j++)
        {
            var site = SiteIds[Pick(rng, SiteWeights)];
            var user = $"u{userZipf.Next(rng)}";
            var t = RandomTime(rng, Start, End);
            events.Add(Event(rng, site, "pageview", t, "/pricing", null, user));
            if (rng.NextDouble() < 0.6)
            {
                t = t.AddMilliseconds(rng.Next(0, 90 * 60_000));
                events.Add(Event(rng, site, "signup", t, "/signup", null, user));
                if (rng.NextDouble() < 0.5)
                {
                    t = t.AddMilliseconds(rng.Next(1, 90 * 60_000));
                    events.Add(Event(rng, site, "purchase", t, "/checkout", null, user));
                }
            }
        }

        for (var k = 0; k < TieCount; k++)
        {
            events.Add(Event(rng, SiteIds[0], "click", TieTime, "/tie", null, $"u{k}"));
        }
        // Journeys can run past the end or into the gap; keep the dataset's promises.
        events.RemoveAll(e => e.Timestamp >= End || (e.Timestamp >= Gap.From && e.Timestamp < Gap.To));
        return new EventDataset(events);
    }

    /// <summary>
    /// Creates the sites (with keys) and inserts every event with multi-row
    /// INSERT … SELECT FROM unnest(…). Returns each site's keys.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, SiteKeys>> LoadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var keys = new Dictionary<string, SiteKeys>();
        var sites = new SiteStore(dataSource);
        foreach (var site in Events.Select(e => e.SiteId).Distinct().Order(StringComparer.Ordinal))
        {
            keys[site] = await sites.CreateAsync(site, ct);
        }
        await InsertAsync(dataSource, Events, ct);
        return keys;
    }

    /// <summary>Inserts events into eventide.events, creating the daily partitions they need first.</summary>
    public static async Task InsertAsync(NpgsqlDataSource dataSource, IReadOnlyList<EventRecord> events, CancellationToken ct = default)
    {
        if (events.Count == 0)
        {
            return;
        }
        await using (var ensure = dataSource.CreateCommand("SELECT eventide.ensure_events_partitions($1, $2)"))
        {
            ensure.Parameters.AddWithValue(DateOnly.FromDateTime(events.Min(e => e.Timestamp).UtcDateTime));
            ensure.Parameters.AddWithValue(DateOnly.FromDateTime(events.Max(e => e.Timestamp).UtcDateTime));
            await ensure.ExecuteNonQueryAsync(ct);
        }
        const int batch = 20_000;
        for (var offset = 0; offset < events.Count; offset += batch)
        {
            var chunk = events.Skip(offset).Take(batch).ToArray();
            // Marks the hours dirty and un-registers their property days in the same statement, as
            // the processor's storing transaction does: plain mode's views then read them raw until
            // a refresh (a no-op in Timescale mode), and property breakdowns read those days raw.
            await using var cmd = dataSource.CreateCommand("""
                WITH inserted AS (
                    INSERT INTO eventide.events (time, site_id, event_id, name, path, referrer, user_id, session_id, properties, received_at)
                    SELECT t, s, id, n, p, r, u, se, pr::jsonb, ra
                    FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
                        AS x(t, s, id, n, p, r, u, se, pr, ra))
                SELECT eventide.mark_aggregates_dirty($2::text[], $1::timestamptz[]), eventide.forget_property_days($2::text[], $1::timestamptz[])
                """);
            cmd.Parameters.AddWithValue(chunk.Select(e => e.Timestamp).ToArray());
            cmd.Parameters.AddWithValue(chunk.Select(e => e.SiteId).ToArray());
            cmd.Parameters.AddWithValue(chunk.Select(e => e.EventId).ToArray());
            cmd.Parameters.AddWithValue(chunk.Select(e => e.Name).ToArray());
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(e => e.Path).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(e => e.Referrer).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(e => e.UserId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(e => e.SessionId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = chunk.Select(e => e.Properties).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.AddWithValue(chunk.Select(e => e.ReceivedAt).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using var analyze = dataSource.CreateCommand("ANALYZE eventide.events");
        await analyze.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Loads and reports how long it took, for the record.</summary>
    public async Task<(IReadOnlyDictionary<string, SiteKeys> Keys, TimeSpan Elapsed)> LoadTimedAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        var keys = await LoadAsync(dataSource, ct);
        return (keys, sw.Elapsed);
    }

    private static readonly string[] Countries = ["DE", "US", "FR", "GB", "IN", "BR"];
    private static readonly string[] Devices = ["desktop", "mobile", "tablet"];
    private static readonly string[] Campaigns = ["spring", "launch", "retarget"];

    private static EventRecord Event(Random rng, string site, string name, DateTimeOffset time, string? path, string? referrer, string? user)
    {
        Span<byte> id = stackalloc byte[16];
        rng.NextBytes(id);
        var session = user is null ? null : $"{user}-{(time - Start).Days.ToString(CultureInfo.InvariantCulture)}";
        var plan = rng.NextDouble() < 0.2 ? $"\"plan\":\"pro\",\"n\":{rng.Next(100).ToString(CultureInfo.InvariantCulture)}" : null;
        var properties = Properties(id, name, plan);
        return new EventRecord(site, name, time, Convert.ToHexStringLower(id), path, referrer, user, session, properties,
            time.AddMilliseconds(rng.Next(0, 2000)));
    }

    /// <summary>
    /// Dashboard properties (country, device, utm_campaign; revenue on purchases, sometimes not a
    /// number) drawn from the event's id bytes, so the main sequence of draws stays as it was.
    /// </summary>
    private static string? Properties(ReadOnlySpan<byte> id, string name, string? plan)
    {
        var parts = new List<string>();
        if (plan is not null)
        {
            parts.Add(plan);
        }
        if (id[0] < 200)
        {
            parts.Add($"\"country\":\"{Countries[id[1] % Countries.Length]}\",\"device\":\"{Devices[id[2] % Devices.Length]}\"");
        }
        if (id[3] < 60)
        {
            parts.Add($"\"utm_campaign\":\"{Campaigns[id[4] % Campaigns.Length]}\"");
        }
        if (name == "purchase")
        {
            parts.Add(id[5] switch
            {
                < 20 => "\"revenue\":\"n/a\"",
                < 30 => "\"revenue\":null",
                _ => $"\"revenue\":{(id[6] * 100 + id[7]).ToString(CultureInfo.InvariantCulture)}.{(id[8] % 100).ToString("00", CultureInfo.InvariantCulture)}",
            });
        }
        return parts.Count == 0 ? null : "{" + string.Join(",", parts) + "}";
    }

    private static DateTimeOffset RandomTime(Random rng, DateTimeOffset from, DateTimeOffset to)
    {
        while (true)
        {
            var t = from.AddMilliseconds(Math.Floor(rng.NextDouble() * (to - from).TotalMilliseconds));
            if (t < Gap.From || t >= Gap.To)
            {
                return t;
            }
        }
    }

    private static int Pick(Random rng, double[] weights)
    {
        var x = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }
}
