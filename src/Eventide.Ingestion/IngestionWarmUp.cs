using Eventide.Ingestion.Segment;
using Eventide.Storage.Inbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// Primes connections and first-call paths before the host serves, so the first
/// requests after a start are not answered 503 for being slow. Best effort: a
/// database that is down now is handled per request later.
/// </summary>
public sealed class IngestionWarmUp(EventIntake intake, SegmentIntake segment, InboxWriter writer, ILogger<IngestionWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await writer.WarmUpAsync(timeout.Token);
            await intake.WarmUpAsync(timeout.Token);
            segment.WarmUp();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.WarmUpFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
