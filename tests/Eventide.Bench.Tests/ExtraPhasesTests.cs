using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class ExtraPhasesTests
{
    [Fact]
    public void PhaseTable_shows_the_discarded_backlog_the_wait_and_the_inbox_of_each_phase()
    {
        var phases = new List<PhaseMark>
        {
            new("warm-up", 0, 1.5, ProcessorHighWaterMb: 161.4),
            new("end to end, sustained", 65.4, 2.2, new PhaseStart(0, 0, 1.24, true, new ClearedBacklog(21_000, 1_000, 0.4)), 635_700),
            new("50 % load", 140, 3, new PhaseStart(0, 7, 180.04, false, new ClearedBacklog(635_700, 4_489, 2.1)), 1_100),
            new("kept data", 200, 3, new PhaseStart(0, 0, 12.5, true)),
        };

        var rows = ExtraPhases.PhaseTable(phases, 600).Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();

        Assert.Contains("run took 10.0 min", rows[0], StringComparison.Ordinal);
        Assert.Equal("| warm-up | 0:00 | 1.5 |  |  |  | 161 MB |", rows[1]);
        Assert.Equal("| end to end, sustained | 1:05 | 2.2 | 21,000 / 1,000 | 1.2 s | 0 / 635,700 |  |", rows[2]);
        Assert.Equal("| 50 % load | 2:20 | 3.0 | 635,700 / 4,489 | 180.0 s (**not steady**: 7 dirty hours) | 0 / 1,100 |  |", rows[3]);
        Assert.Equal("| kept data | 3:20 | 3.0 |  | 12.5 s | 0 / — |  |", rows[4]);
    }
}
