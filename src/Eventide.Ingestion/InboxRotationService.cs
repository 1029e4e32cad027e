using Eventide.Core;
using Eventide.Storage.Inbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// Rotates the inbox every <see cref="IngestionOptions.InboxRotationSeconds"/> and
/// truncates drained slots (see <see cref="InboxRotator"/>). Every replica runs it;
/// the rotator's advisory lock and age check make that safe.
/// </summary>
public sealed class InboxRotationService(IngestionDatabase database, EventideOptions options, ILogger<InboxRotationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Ingestion.InboxRotationSeconds);
        var rotator = new InboxRotator(database.DataSource);
        // Check several times per interval so a drained slot is freed soon after it empties;
        // the rotator advances the current slot only once per interval.
        using var timer = new PeriodicTimer(interval / 4);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var result = await rotator.RotateAsync(interval, stoppingToken);
                    Log.InboxRotated(logger, result.CurrentSlot, result.Advanced, string.Join(',', result.TruncatedSlots));
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.RotationFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
