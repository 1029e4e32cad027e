using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class CpuBudgetTests
{
    private static readonly Dictionary<string, double> Cores = new()
    {
        [CpuBudget.Ingestion] = 0.25,
        [CpuBudget.Processor] = 0.30,
        [CpuSnapshot.Postgres] = 1.20,
        ["query"] = 0.01,
        [CpuSnapshot.Generator] = 0.10,
    };

    private static readonly List<StatementStats> Statements =
    [
        new("INSERT INTO eventide.events (time, site_id) SELECT …", 600, 60_000, 1_800_000, 50),
        new("INSERT INTO eventide.inbox (slot, shard, event_count, received_at, payload) SELECT …", 5_000, 12_000, 25_000, 10),
        new("SELECT e.key FROM eventide.event_ids e WHERE …", 600, 36_000, 900, 30),
    ];

    [Fact]
    public void Ingestion_costs_count_per_accepted_event_and_the_processors_per_stored_event()
    {
        var budget = CpuBudget.From(Cores, Statements, accepted: 50_000, stored: 30_000, machineCores: 2, ceiling: 100_000);

        var parts = budget.Parts.ToDictionary(p => p.Name.Split(" (")[0], p => p);
        Assert.Equal(5.0, parts["ingestion role"].MicrosPerEvent, 6);          // 0.25 cores / 50,000 a second
        Assert.False(parts["ingestion role"].PerStored);
        Assert.Equal(10.0, parts["processor role"].MicrosPerEvent, 6);         // 0.30 / 30,000
        var inbox = budget.Parts.Single(p => p.Name.Contains("eventide.inbox", StringComparison.Ordinal));
        Assert.Equal(2.4, inbox.MicrosPerEvent, 6);                              // 10 % of 1.2 cores / 50,000
        Assert.False(inbox.PerStored);
        var insert = budget.Parts.Single(p => p.Name.Contains("eventide.events", StringComparison.Ordinal));
        Assert.Equal(20.0, insert.MicrosPerEvent, 6);                            // 50 % of 1.2 / 30,000
        var rest = budget.Parts.Single(p => p.Name.Contains("other statements", StringComparison.Ordinal));
        Assert.Equal(4.0, rest.MicrosPerEvent, 6);                               // the 10 % not listed / 30,000
        // Neither the query role nor the load generator is part of an event's way in and out.
        Assert.Equal(5 + 2.4 + 10 + 20 + 12 + 4, budget.MicrosPerEvent, 6);
        Assert.Equal(2e6 / 53.4, budget.RateBound, 6);
        Assert.Equal(60_000 * 53.4 / 1e6, budget.CoresFor(60_000), 6);
    }

    [Fact]
    public void Without_statement_statistics_the_database_counts_whole_against_stored_events()
    {
        var budget = CpuBudget.From(Cores, [], accepted: 50_000, stored: 30_000, machineCores: 2, ceiling: 100_000);

        var pg = Assert.Single(budget.Parts, p => p.Name.StartsWith("PostgreSQL", StringComparison.Ordinal));
        Assert.Equal(40.0, pg.MicrosPerEvent, 6);
        Assert.Contains("would need", budget.Markdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_stored_gives_no_bound_instead_of_an_infinite_one()
    {
        var budget = CpuBudget.From(Cores, Statements, accepted: 50_000, stored: 0, machineCores: 2, ceiling: 100_000);

        Assert.True(double.IsNaN(budget.MicrosPerEvent));
        Assert.Contains("n/a", budget.Markdown(), StringComparison.Ordinal);
    }
}
