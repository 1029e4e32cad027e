using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class SecondSamplerTests
{
    [Fact]
    public void Markdown_lists_the_worst_seconds_and_counts_the_slow_acks_beside_autovacuum_and_writeback()
    {
        var load = new LoadResult();
        load.LatenciesMs.AddRange(Enumerable.Repeat(3.0, 1000));
        load.SlowBySecond[2] = 30;  // the second before autovacuum shows
        load.SlowBySecond[3] = 5;   // autovacuum at work
        load.SlowBySecond[7] = 12;  // writeback
        load.SlowBySecond[9] = 1;   // nothing seen
        var samples = Enumerable.Range(0, 10).Select(s => new SecondSampler.Sample(s, 1.2, 3, s == 7 ? 250 : 20, 0,
            s == 3 ? "analyze events_20261202" : "")).ToList();

        var md = SecondSampler.Markdown("50 % load", load, samples, worst: 3);
        var rows = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();

        Assert.Equal("| 2 | 30 | 1.20 | 3 | 20 | 0 | — |", rows[1]);
        Assert.Equal("| 7 | 12 | 1.20 | 3 | 250 | 0 | — |", rows[2]);
        Assert.Equal("| 3 | 5 | 1.20 | 3 | 20 | 0 | analyze events_20261202 |", rows[3]);
        Assert.Equal(4, rows.Count);
        Assert.Contains("48 of 1,000 acknowledgements took over 25 ms; 35 of them were due in or one second before a second with autovacuum at work (1 of 10 seconds), 12 in or one second before a second with over 100 MB written", md, StringComparison.Ordinal);
    }
}
