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

        protected override TimeSpan Pause => PlainModeRoundJobTests.Pause;

        protected override Task<bool> RunRoundAsync(CancellationToken cancellationToken)
        {
            var round = _started.Count < script.Length ? script[_started.Count] : Round.Short;
            _started.Enqueue(clock.GetUtcNow());
            return round == Round.Fails ? throw new NpgsqlException("scripted failure") : Task.FromResult(round == Round.Full);
        }
    }

    /// <summary>Fake time that counts the timers scheduled on it: a delay makes one when it starts.</summary>
    private sealed class CountingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted once the timer is scheduled: counted before, the test could move the
            // clock first and the timer would then fall due a whole pause later.
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }
}
