using System.Diagnostics.Metrics;
using Eventide.Core;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// The inbox high-water mark: when more events wait in the inbox than
/// <see cref="IngestionOptions.InboxHighWater"/>, or the oldest waited longer than
/// <see cref="IngestionOptions.InboxHighWaterAgeSeconds"/>, intake answers 503 with
/// Retry-After instead of filling the database's disk while the processors fall behind.
/// Requests read a cached verdict: the inbox is summed once per refresh interval per
/// instance, never per request.
/// </summary>
public sealed class InboxHighWater : BackgroundService
{
    /// <summary>What a refused client is told to wait: long enough for the processors to drain a few seconds' worth.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly LagStore _lag;
    private readonly IngestionOptions _options;
    private readonly ILogger<InboxHighWater> _logger;
    private readonly TimeProvider _time;
    private volatile Reading? _last;

    public InboxHighWater(IngestionDatabase database, EventideOptions options, IMeterFactory meters, ILogger<InboxHighWater> logger,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        _lag = new LagStore(database.DataSource);
        _options = options.Ingestion;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        var meter = meters.Create(EventideMeter.Name);
        meter.CreateObservableGauge("eventide_ingestion_inbox_high_water_exceeded", () => Exceeded ? 1 : 0, "{state}",
            "1 while intake refuses events because the inbox passed its high-water mark, else 0");
        meter.CreateObservableGauge("eventide_ingestion_inbox_waiting_events", () => _last?.Events ?? 0, "{event}",
            "Events waiting in the inbox, all shards, at this instance's last high-water reading");
        meter.CreateObservableGauge("eventide_ingestion_inbox_oldest_age_seconds", () => _last?.OldestAgeSeconds ?? 0, "s",
            "Age of the oldest waiting inbox event at this instance's last high-water reading");
    }

    /// <summary>True while the last reading is over a limit: intake answers 503.</summary>
    public bool Exceeded => _last?.Exceeded ?? false;

    /// <summary>The last reading, or null before the first one (or with the limits off).</summary>
    public Reading? Last => _last;

    /// <summary>The decision, pure: over either limit that is set (a limit of 0 is off).</summary>
    public static bool IsOver(IngestionOptions options, long events, double oldestAgeSeconds)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (options.InboxHighWater > 0 && events > options.InboxHighWater)
            || (options.InboxHighWaterAgeSeconds > 0 && oldestAgeSeconds > options.InboxHighWaterAgeSeconds);
    }

    /// <summary>Reads the inbox once and updates the verdict; the background loop calls it every refresh interval.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var (events, age) = await _lag.TotalAsync(cancellationToken);
        var over = IsOver(_options, events, age);
        var was = Exceeded;
        _last = new Reading(events, age, over, _time.GetUtcNow());
        if (over && !was)
        {
            Log.HighWaterExceeded(_logger, events, age);
        }
        else if (!over && was)
        {
            Log.HighWaterCleared(_logger, events, age);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.InboxHighWaterEnabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.InboxHighWaterRefreshMs), _time);
        try
        {
            do
            {
                try
                {
                    await RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A database that cannot be read cannot take commits either: those answer 503 on
                    // their own. The last verdict stands until a reading succeeds.
                    Log.HighWaterReadFailed(_logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One reading of the whole inbox and the verdict taken from it.</summary>
    public sealed record Reading(long Events, double OldestAgeSeconds, bool Exceeded, DateTimeOffset ReadAt);
}
