using System.Text.Json;
using Eventide.Core;
using Eventide.Query.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Query.Live;

/// <summary>
/// Fans live messages out to every connection of a site. One pump per site with subscribers
/// reads the database once per second whatever the number of connections (10 000 dashboards
/// on one site cost one count query per second, not 10 000), serializes each message once,
/// and offers it to every subscription's bounded queue without waiting.
/// </summary>
public sealed class LiveHub(AnalyticsStore store, TimeProvider time, EventideOptions options, IHostApplicationLifetime lifetime, ILogger<LiveHub> logger)
{
    /// <summary>
    /// How long after a second ends it is read. Events reach the events table after the
    /// ingestion commit and the processor's flush (about 200 ms by default); reading at once
    /// would miss most of them.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);

    /// <summary>The feed carries at most this many events per second and site (the newest).</summary>
    public const int MaxFeedPerSecond = 100;

    private readonly Dictionary<string, SitePump> _pumps = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _dropped;

    /// <summary>Subscriptions dropped because their client did not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Subscriptions open now, over all sites.</summary>
    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _pumps.Values.Sum(p => p.Subscribers.Count);
            }
        }
    }

    public LiveSubscription Subscribe(string site, LiveKind kind)
    {
        // The feed offers up to MaxFeedPerSecond messages at once each second: a client that reads
        // everything must still find room for a whole second, or a busy second drops every client.
        var capacity = Math.Max(1, options.Query.LiveBufferMessages) + (kind == LiveKind.Feed ? MaxFeedPerSecond : 0);
        var subscription = new LiveSubscription(site, kind, capacity, Unsubscribe);
        lock (_lock)
        {
            if (!_pumps.TryGetValue(site, out var pump))
            {
                pump = new SitePump(site);
                _pumps[site] = pump;
                pump.Subscribers.Add(subscription);
                _ = Task.Run(() => RunAsync(pump));
            }
            else
            {
                pump.Subscribers.Add(subscription);
            }
        }
        return subscription;
    }

    private void Unsubscribe(LiveSubscription subscription)
    {
        lock (_lock)
        {
            if (_pumps.TryGetValue(subscription.Site, out var pump))
            {
                pump.Subscribers.Remove(subscription);
            }
        }
    }

    private async Task RunAsync(SitePump pump)
    {
        var stop = lifetime.ApplicationStopping;
        // Start with the latest second already due, so the first message comes at once.
        var graced = time.GetUtcNow() - Grace;
        var second = new DateTimeOffset(graced.UtcTicks - (graced.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero) - TimeSpan.FromSeconds(1);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var wait = second + TimeSpan.FromSeconds(1) + Grace - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stop);
                }
                LiveSubscription[] targets;
                lock (_lock)
                {
                    if (pump.Subscribers.Count == 0)
                    {
                        // Removed under the lock, so a new subscriber either joined this pump or starts a new one.
                        _pumps.Remove(pump.Site);
                        return;
                    }
                    targets = [.. pump.Subscribers];
                }
                var range = new TimeRange(second, second + TimeSpan.FromSeconds(1));
                if (targets.Any(t => t.Kind == LiveKind.Counts))
                {
                    var count = await store.CountAsync(pump.Site, range, stop);
                    Offer(targets, LiveKind.Counts, [JsonSerializer.Serialize(new LiveCount(second, count))]);
                }
                if (targets.Any(t => t.Kind == LiveKind.Feed))
                {
                    var events = await store.RecentAsync(pump.Site, range, MaxFeedPerSecond, stop);
                    Offer(targets, LiveKind.Feed, events.Select(e => JsonSerializer.Serialize(e)).ToArray());
                }
                second += TimeSpan.FromSeconds(1);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The host is stopping: end every stream of the site.
        }
        catch (Exception ex)
        {
            Log.LivePumpFailed(logger, ex, pump.Site);
        }
        lock (_lock)
        {
            _pumps.Remove(pump.Site);
            foreach (var subscription in pump.Subscribers)
            {
                subscription.End();
            }
            pump.Subscribers.Clear();
        }
    }

    private void Offer(LiveSubscription[] targets, LiveKind kind, string[] messages)
    {
        foreach (var target in targets)
        {
            if (target.Kind != kind)
            {
                continue;
            }
            foreach (var message in messages)
            {
                if (!target.TryOffer(message))
                {
                    target.Drop();
                    Unsubscribe(target);
                    Interlocked.Increment(ref _dropped);
                    Log.LiveClientDropped(logger, target.Site);
                    break;
                }
            }
        }
    }

    private sealed class SitePump(string site)
    {
        public string Site { get; } = site;

        public List<LiveSubscription> Subscribers { get; } = [];
    }
}
