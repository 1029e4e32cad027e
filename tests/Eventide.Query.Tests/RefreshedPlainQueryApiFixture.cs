using System.Diagnostics;
using Eventide.Storage;
using Eventide.Storage.Processing;
using Eventide.Testing.Dataset;
using Npgsql;

namespace Eventide.Query.Tests;

/// <summary>
/// The standard dataset on plain PostgreSQL with the materialized aggregates refreshed, then
/// late events stored into hours already refreshed: odd days of the range are wholly clean (day
/// rows), even days mix clean hours with dirty ones read raw, so every branch of the views and
/// every mix of them answers.
/// </summary>
public sealed class RefreshedPlainQueryApiFixture : PlainQueryApiFixture
{
    public int LateEvents { get; private set; }

    public long DirtyHours { get; private set; }

    protected override async Task<(IReadOnlyDictionary<string, SiteKeys> Keys, TimeSpan Elapsed)> LoadAsync(NpgsqlDataSource dataSource)
    {
        var sw = Stopwatch.StartNew();
        var keys = new Dictionary<string, SiteKeys>();
        var sites = new SiteStore(dataSource);
        foreach (var site in Dataset.Events.Select(e => e.SiteId).Distinct().Order(StringComparer.Ordinal))
        {
            keys[site] = await sites.CreateAsync(site, CancellationToken.None);
        }
        var late = Dataset.Events.Where((e, i) => i % 50 == 0 && (int)(e.Timestamp - EventDataset.Start).TotalDays % 2 == 0).ToList();
        var lateSet = late.ToHashSet();
        await EventDataset.InsertAsync(dataSource, Dataset.Events.Where(e => !lateSet.Contains(e)).ToList());
        var refresher = new AggregateRefresher(dataSource);
        await refresher.RefreshAllAsync(CancellationToken.None);
        await EventDataset.InsertAsync(dataSource, late);
        LateEvents = late.Count;
        DirtyHours = await refresher.PendingAsync(CancellationToken.None);
        return (keys, sw.Elapsed);
    }
}
