using System.Collections.Concurrent;
using Eventide.Processor.Jobs;
using Eventide.Storage.Processing;
using Eventide.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Eventide.Processor.Tests.Jobs;

/// <summary>
/// The round loop the plain-mode jobs share, on a migrated plain database with a scripted
/// workload and fake time: the fake clock only moves when the test moves it, so the time a
/// round starts at tells whether the job paused before it.
/// </summary>
public class PlainModeRoundJobTests(EightShardFixture db) : IClassFixture<EightShardFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Pause = TimeSpan.FromMinutes(1);
    private readonly CountingClock _clock = new(Start);
    private readonly FakeLogger _logger = new();

    [Fact]
    public async Task Full_rounds_follow_each_other_at_once_and_a_short_round_pauses_the_job()
    {
        var job = new ScriptedJob(new PartitionMaintenance(db.DataSource), _logger, _clock, Round.Full, Round.Full, Round.Short, Round.Short);
        await job.StartAsync(CancellationToken.None);
        try
        {
            // The clock stands still, so three rounds can only come back to back.
            await Eventually.True(() => job.Started.Count == 3, "three rounds without time moving");
            await AdvanceThroughPauseAsync(job, 3);
            Assert.Equal([Start, Start, Start, Start + Pause], job.Started);
            Assert.Empty(_logger.Collector.GetSnapshot());
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_database_failure_is_logged_and_the_round_retried_after_the_pause()
    {
        var job = new ScriptedJob(new PartitionMaintenance(db.DataSource), _logger, _clock, Round.Fails, Round.Short);
        await job.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.True(() => job.Started.Count == 1, "the first round");
            await AdvanceThroughPauseAsync(job, 1);
            Assert.Equal([Start, Start + Pause], job.Started);
            var failure = Assert.Single(_logger.Collector.GetSnapshot());
            Assert.Equal(LogLevel.Warning, failure.Level);
            Assert.IsType<NpgsqlException>(failure.Exception);
            Assert.Contains("scripted work", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_capped_share_rests_after_every_round_in_proportion_to_its_length()
    {
        // Rounds of 10 s at a quarter of the time: 30 s of rest after each, full or not; after a
        // short round the longer of that rest and the pause.
        var took = TimeSpan.FromSeconds(10);
        var job = new ScriptedJob(new PartitionMaintenance(db.DataSource), _logger, _clock, Round.Full, Round.Full, Round.Short)
        {
            Share = 0.25,
            RoundTakes = took,
        };
        await job.StartAsync(CancellationToken.None);
        try
        {
            var rest = TimeSpan.FromSeconds(30);
            await Eventually.True(() => job.Started.Count == 1, "the first round");
            await AdvanceAsync(job, timers: 1, rest);
            await AdvanceAsync(job, timers: 2, rest);
            await AdvanceAsync(job, timers: 3, Pause);
            Assert.Equal([Start, Start + took + rest, Start + (2 * (took + rest)), Start + (3 * took) + (2 * rest) + Pause], job.Started);
            Assert.Empty(_logger.Collector.GetSnapshot());
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits for the job's rest (its timer number <paramref name="timers"/>), then moves the clock by exactly <paramref name="by"/>.</summary>
    private async Task AdvanceAsync(ScriptedJob job, int timers, TimeSpan by)
    {
        var before = job.Started.Count;
        await Eventually.True(() => _clock.Timers == timers, $"the job rests (timer {timers})");
        // Not yet due: a rest shorter than expected would have let the next round start already.
        Assert.Equal(before, job.Started.Count);
        _clock.Advance(by);
        await Eventually.True(() => job.Started.Count == before + 1, "the round after the rest");
    }

    /// <summary>
    /// Waits until the job has started its pause (its delay's timer exists, due one pause from
    /// the time it stands at), then moves the clock by exactly that pause.
    /// </summary>
    private async Task AdvanceThroughPauseAsync(ScriptedJob job, int roundsBefore)
    {
        await Eventually.True(() => _clock.Timers == 1, "the job pauses");
        _clock.Advance(Pause);
        await Eventually.True(() => job.Started.Count == roundsBefore + 1, "the round after the pause");
    }

    private enum Round
    {
        Full,
        Short,
        Fails,
    }

    /// <summary>Plays its rounds in order, then reports short rounds; records the fake time each round started at.</summary>
    private sealed class ScriptedJob(PartitionMaintenance partitions, ILogger logger, CountingClock clock, params Round[] script)
        : PlainModeRoundJob(partitions, logger, clock)
    {
        private readonly ConcurrentQueue<DateTimeOffset> _started = new();

        public IReadOnlyList<DateTimeOffset> Started => [.. _started];

        protected override string Work => "scripted work";

        /// <summary>The share of time rounds may take (the job's cap).</summary>
        public double Share { get; init; } = 1.0;

        /// <summary>How far each round moves the clock: the time it takes.</summary>
        public TimeSpan RoundTakes { get; init; }

        protected override TimeSpan Pause => PlainModeRoundJobTests.Pause;

        protected override double MaxShare => Share;

        protected override Task<bool> RunRoundAsync(CancellationToken cancellationToken)
        {
            var round = _started.Count < script.Length ? script[_started.Count] : Round.Short;
            _started.Enqueue(clock.GetUtcNow());
            if (RoundTakes > TimeSpan.Zero)
            {
                clock.Advance(RoundTakes);
            }
            return round == Round.Fails ? throw new NpgsqlException("scripted failure") : Task.FromResult(round == Round.Full);
        }
    }
}
