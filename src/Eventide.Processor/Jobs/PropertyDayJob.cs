using Eventide.Storage.Processing;
using Microsoft.Extensions.Logging;

namespace Eventide.Processor.Jobs;

/// <summary>
/// Plain mode only: materializes the property days of closed days (migration 0160) so 30-day
/// property breakdowns read a few hundred rows per day. In Timescale mode the registry stays
/// empty and breakdowns read raw events (chunk retention there would not drop these rows).
/// A round that materialized its full count of days leaves more to do, so the next follows at
/// once; the materializer's advisory lock lets one processor work at a time.
/// </summary>
public sealed class PropertyDayJob(
    PropertyDayMaterializer materializer, PartitionMaintenance partitions, ProcessorSettings settings, ILogger<PropertyDayJob> logger, TimeProvider time)
    : PlainModeRoundJob(partitions, logger, time)
{
    protected override string Work => "property days";

    protected override TimeSpan Pause => settings.PropertyDaysInterval;

    protected override async Task<bool> RunRoundAsync(CancellationToken cancellationToken) =>
        await materializer.MaterializeOnceAsync(settings.PropertyDaysPerRound, cancellationToken) == settings.PropertyDaysPerRound;
}
