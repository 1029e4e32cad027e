using System.Globalization;
using Eventide.Core;

namespace Eventide.Ingestion;

/// <summary>
/// Shows the high-water state on /readyz. It always reports ready: every ingestion instance
/// reads the same inbox, so failing readiness would take them all out of the Service at once,
/// and clients would meet refused connections instead of a 503 with Retry-After.
/// </summary>
public sealed class InboxHighWaterReadinessCheck(InboxHighWater highWater, EventideOptions options) : IReadinessCheck
{
    public string Name => "inbox_high_water";

    public Task<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        var o = options.Ingestion;
        var limits = string.Create(CultureInfo.InvariantCulture,
            $"high water {(o.InboxHighWater > 0 ? o.InboxHighWater.ToString("N0", CultureInfo.InvariantCulture) + " events" : "off")}, age limit {(o.InboxHighWaterAgeSeconds > 0 ? o.InboxHighWaterAgeSeconds + " s" : "off")}");
        var detail = highWater.Last switch
        {
            _ when !o.InboxHighWaterEnabled => "off (Eventide:Ingestion:InboxHighWater and InboxHighWaterAgeSeconds are 0)",
            null => $"no reading yet; {limits}",
            { } r => string.Create(CultureInfo.InvariantCulture,
                $"{(r.Exceeded ? "exceeded: intake answers 503" : "below")}; {r.Events:N0} events waiting, oldest {r.OldestAgeSeconds:F1} s; {limits}; read {r.ReadAt:O}"),
        };
        return Task.FromResult(new ReadinessResult(true, detail));
    }
}
