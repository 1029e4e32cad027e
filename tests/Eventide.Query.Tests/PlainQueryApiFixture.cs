using System.Diagnostics;
using Eventide.Core;
using Eventide.Storage;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Eventide.Testing.Dataset;
using Npgsql;

namespace Eventide.Query.Tests;

/// <summary>
/// The standard dataset on plain PostgreSQL, its materialized aggregates refreshed, then late
/// events stored into hours already refreshed: most days are wholly clean (materialized day
/// rows), every fifth day mixes clean hours with dirty ones read raw, so every branch of the
/// aggregate views, and every mix of them, must give the LINQ answers. Property days are
/// materialized before the late events, which un-register their days: property breakdowns mix
/// materialized days, raw days and (for revenue) fallback days.
/// </summary>
public class PlainQueryApiFixture : QueryApiFixture
{
    private readonly MigratedPostgresFixture _db = new();

    public int LateEvents { get; private set; }

    public long DirtyHours { get; private set; }

    /// <summary>(site, day)s of property days registered before the late events.</summary>
    public long MaterializedBeforeLate { get; private set; }

    /// <summary>(site, day)s of property days still registered: the late events' days are read raw.</summary>
    public long MaterializedDays { get; private set; }

    public long RevenueFallbackDays { get; private set; }

    protected override async Task<EventideOptions> CreateDatabaseAsync()
    {
        await _db.InitializeAsync();
        return _db.Options();
    }

    protected override Task DropDatabaseAsync() => _db.DisposeAsync();

    protected override async Task<(IReadOnlyDictionary<string, SiteKeys> Keys, TimeSpan Elapsed)> LoadAsync(NpgsqlDataSource dataSource)
    {
        var sw = Stopwatch.StartNew();
        var keys = new Dictionary<string, SiteKeys>();
        var sites = new SiteStore(dataSource);
        foreach (var site in Dataset.Events.Select(e => e.SiteId).Distinct().Order(StringComparer.Ordinal))
        {
            keys[site] = await sites.CreateAsync(site, CancellationToken.None);
        }
        var late = Dataset.Events.Where((e, i) => i % 50 == 0 && (int)(e.Timestamp - EventDataset.Start).TotalDays % 5 == 0).ToHashSet();
        await EventDataset.InsertAsync(dataSource, Dataset.Events.Where(e => !late.Contains(e)).ToList());
        var refresher = new AggregateRefresher(dataSource);
        await refresher.RefreshAllAsync(CancellationToken.None);
        // At most 20 values a day: revenue (a few dozen a day on the busier sites) falls back to
        // raw events on those days, country, device and utm_campaign are materialized.
        var materializer = new PropertyDayMaterializer(dataSource, maxValues: 20);
        await materializer.MaterializeAllAsync(CancellationToken.None);
        MaterializedBeforeLate = await materializer.MaterializedAsync(CancellationToken.None);
        await EventDataset.InsertAsync(dataSource, late.ToList());
        LateEvents = late.Count;
        DirtyHours = await refresher.PendingAsync(CancellationToken.None);
        MaterializedDays = await materializer.MaterializedAsync(CancellationToken.None);
        await using var fallback = dataSource.CreateCommand("SELECT count(*) FROM eventide.property_day_state WHERE 'revenue' = ANY(fallback_keys)");
        RevenueFallbackDays = (long)(await fallback.ExecuteScalarAsync())!;
        return (keys, sw.Elapsed);
    }
}
