using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class EndToEndTests
{
    private static EndToEnd Phase(double stored, double ceilingBefore, double ceilingAfter, bool markReached = true) =>
        new(stored, 60, 1_000_000, 1_200_000, 50_000, new LoadResult { AcceptedEvents = 4_000_000, Seconds = 85, RetryAfterWaits = 12 },
            new Dictionary<string, double>
            {
                [CpuBudget.Ingestion] = 0.40,
                [CpuBudget.Processor] = 0.30,
                [CpuSnapshot.Postgres] = 1.20,
            },
            [new("INSERT INTO eventide.events (time, site_id) SELECT …", 400, 40_000, 1_600_000, 60)],
            ceilingBefore, ceilingAfter, 1_000_000, 25, markReached);

    [Fact]
    public void The_ratio_divides_by_the_mean_of_the_ceilings_before_and_after()
    {
        // The machine's speed drifts within minutes: a ceiling of 40,000 before and 60,000 after
        // the phase is taken as 50,000.
        var phase = Phase(30_000, 40_000, 60_000);

        Assert.Equal(50_000, phase.Ceiling, 6);
        Assert.Equal(0.6, phase.Ratio, 6);
        Assert.Equal(50_000, phase.AcceptedPerSecond, 6);
    }

    [Fact]
    public void The_budget_counts_ingestion_per_accepted_and_the_processor_per_stored_event()
    {
        var budget = Phase(25_000, 50_000, 50_000).Budget();

        var parts = budget.Parts.ToDictionary(p => p.Name.Split(" (")[0], p => p.MicrosPerEvent);
        Assert.Equal(8.0, parts["ingestion role"], 6);    // 0.40 cores / 50,000 accepted a second
        Assert.Equal(12.0, parts["processor role"], 6);   // 0.30 / 25,000 stored
        Assert.Equal(50_000, budget.Ceiling, 6);
    }

    [Fact]
    public void The_markdown_shows_both_ceilings_and_the_ratio_to_their_mean()
    {
        var phase = Phase(30_000, 40_000, 60_000);

        var md = phase.Markdown("TimescaleDB", "into a scratch hypertable", phase.Budget());

        Assert.Contains("| TimescaleDB: end to end | value |", md, StringComparison.Ordinal);
        Assert.Contains("into a scratch hypertable, rows/s, before / after the phase | 40,000 / 60,000 |", md, StringComparison.Ordinal);
        Assert.Contains("| end-to-end ÷ ceiling (their mean) | 0.60 |", md, StringComparison.Ordinal);
        // What ingestion accepted in the measured minute, not over the fill before it.
        Assert.Contains("ingestion accepted 50,000/s; inbox 1,000,000 at the start, 1,200,000 at the end", md, StringComparison.Ordinal);
        Assert.Contains("from the inbox's reaching ingestion's high-water mark of 1,000,000 events, 25 s into the load", md, StringComparison.Ordinal);
        Assert.Contains("clients that wait out Retry-After (12 waits)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void A_phase_whose_inbox_never_reached_the_mark_says_so()
    {
        var phase = Phase(30_000, 40_000, 60_000, markReached: false);

        var md = phase.Markdown("PostgreSQL", "into a scratch copy of events", phase.Budget());

        Assert.Contains("from the fill's limit, the inbox short of ingestion's high-water mark of 1,000,000 events, 25 s into the load", md, StringComparison.Ordinal);
        Assert.DoesNotContain("the inbox's reaching", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_TimescaleDB_the_section_says_it_was_not_measured_and_why()
    {
        var md = TimescalePhase.Markdown(null);

        Assert.StartsWith("TimescaleDB: not measured.", md, StringComparison.Ordinal);
        Assert.Contains("no timescaledb.so", md, StringComparison.Ordinal);
        Assert.Null(TimescalePhase.Json(null));
    }

    [Fact]
    public void With_TimescaleDB_the_section_names_the_version_and_the_roles_memory()
    {
        var md = TimescalePhase.Markdown(new TimescalePhase.Result("2.28.3", Phase(30_000, 40_000, 60_000), 190, 245));

        Assert.StartsWith("TimescaleDB 2.28.3 on the same server", md, StringComparison.Ordinal);
        Assert.Contains("| end-to-end ÷ ceiling (their mean) | 0.60 |", md, StringComparison.Ordinal);
        Assert.Contains("ingestion 190 MB, processor 245 MB", md, StringComparison.Ordinal);
    }
}
