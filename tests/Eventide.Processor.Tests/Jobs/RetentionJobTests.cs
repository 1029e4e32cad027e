using Eventide.Processor.Jobs;
using Eventide.Storage.Processing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Eventide.Processor.Tests.Jobs;

public class RetentionJobTests(EightShardFixture db) : IClassFixture<EightShardFixture>
{
    [Fact]
    public async Task RunOnce_drops_events_past_retention_and_event_ids_past_the_window_and_keeps_the_rest()
    {
        var now = new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);
        var partitions = new PartitionMaintenance(db.DataSource);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await partitions.EnsureAsync("events", today.AddDays(-12), today, CancellationToken.None);
        await partitions.EnsureAsync("event_ids", today.AddDays(-4), today, CancellationToken.None);
        var settings = new ProcessorSettings { RetentionDays = 10, DedupeWindow = TimeSpan.FromHours(24) };
        var job = new RetentionJob(partitions, new ShardConsumer(db.DataSource, settings.DedupeWindow), settings,
            NullLogger<RetentionJob>.Instance, new FakeTimeProvider(now));

        await job.RunOnceAsync(CancellationToken.None);

        // events: days ending at or before now - 10 days (June 5, 12:00) go: June 3 and 4 do, June 5 does not.
        Assert.Equal(Days(today.AddDays(-10), today), await PartitionDaysAsync("events"));
        // event_ids: window 24 h plus a day of margin, cutoff June 13, 12:00: June 11 and 12 go.
        Assert.Equal(Days(today.AddDays(-2), today), await PartitionDaysAsync("event_ids"));
    }

    private static List<string> Days(DateOnly from, DateOnly to) =>
        [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(i => from.AddDays(i).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture))];

    private async Task<List<string>> PartitionDaysAsync(string parent)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT right(c.relname, 8) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = $1 AND p.relnamespace = 'eventide'::regnamespace ORDER BY 1
            """);
        cmd.Parameters.AddWithValue(parent);
        await using var reader = await cmd.ExecuteReaderAsync();
        var days = new List<string>();
        while (await reader.ReadAsync())
        {
            days.Add(reader.GetString(0));
        }
        return days;
    }
}
