using Eventide.Operator.Autoscaling;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Tests.Autoscaling;

public class LagAutoscalerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Spec for every row unless it says otherwise: min 1, max 8, 64 shards,
    /// 1000 events per replica, max lag age 30 s, scale-down window 300 s, no scale-up window.
    /// Samples are (seconds before now, events, oldest age in seconds).
    /// </summary>
    public static TheoryData<string, (int Ago, long Events, double Age)[], int, int> Table => new()
    {
        { "no samples keeps current", [], 3, 3 },
        { "no samples lifts current below min to min", [], 0, 1 },
        { "no samples lowers current above max to max", [], 12, 8 },
        { "lag over target scales up at once", [(0, 4500, 1)], 1, 5 },
        { "scale-up is capped at max replicas", [(0, 1_000_000, 1)], 2, 8 },
        { "exact multiple of target needs that many", [(0, 3000, 1)], 1, 3 },
        { "lag at target keeps one", [(0, 1000, 1)], 1, 1 },
        { "old lag adds a replica even when the count is small", [(0, 10, 45)], 2, 3 },
        { "old lag weighs the recommendation by how overdue it is", [(0, 2000, 90)], 1, 6 },
        { "no lag keeps current until the window is covered", [(60, 0, 0), (0, 0, 0)], 4, 4 },
        { "no lag over the whole window scales down to min", [(400, 0, 0), (200, 0, 0), (0, 0, 0)], 4, 1 },
        { "scale-down goes only to the highest recommendation in the window", [(400, 0, 0), (250, 2500, 1), (0, 0, 0)], 5, 3 },
        { "a sample older than the window does not hold the count up", [(400, 7000, 1), (299, 0, 0), (0, 1000, 1)], 5, 1 },
        { "lag equal to current capacity keeps the count", [(0, 4000, 1)], 4, 4 },
        { "empty inbox with old age does not scale up", [(0, 0, 120)], 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Recommend_follows_the_table(string because, (int Ago, long Events, double Age)[] samples, int current, int expected)
    {
        var spec = Spec();
        var result = LagAutoscaler.Recommend(Samples(samples), current, spec, Now);
        Assert.True(expected == result, $"{because}: expected {expected}, got {result}");
    }

    [Theory]
    [InlineData(4, 8, 1_000_000, 4)]
    [InlineData(16, 8, 1_000_000, 8)]
    [InlineData(3, 3, 0, 1)]
    public void Recommend_never_exceeds_shards(int shards, int max, long events, int expected)
    {
        var spec = Spec();
        spec.Shards = shards;
        spec.Processor.MaxReplicas = max;
        var samples = events == 0 ? Samples([(400, 0, 0), (0, 0, 0)]) : Samples([(0, events, 1)]);
        Assert.Equal(expected, LagAutoscaler.Recommend(samples, 2, spec, Now));
    }

    [Fact]
    public void Recommend_with_scale_up_window_goes_only_as_far_as_the_window_agrees()
    {
        var spec = Spec();
        spec.Processor.Autoscaling.ScaleUpStabilizationSeconds = 60;
        var samples = Samples([(50, 2000, 1), (0, 6000, 1)]);
        Assert.Equal(2, LagAutoscaler.Recommend(samples, 1, spec, Now));
    }

    [Fact]
    public void Recommend_with_min_zero_scales_to_zero_when_idle_for_the_window()
    {
        var spec = Spec();
        spec.Processor.MinReplicas = 0;
        Assert.Equal(0, LagAutoscaler.Recommend(Samples([(301, 0, 0), (0, 0, 0)]), 2, spec, Now));
    }

    private static EventPipelineSpec Spec() => new()
    {
        Shards = 64,
        Processor = new ProcessorSpec
        {
            MinReplicas = 1,
            MaxReplicas = 8,
            Autoscaling = new LagAutoscalingSpec
            {
                TargetLagPerReplica = 1000,
                MaxLagAgeSeconds = 30,
                ScaleDownStabilizationSeconds = 300,
                ScaleUpStabilizationSeconds = 0,
            },
        },
    };

    private static List<LagSample> Samples((int Ago, long Events, double Age)[] rows) =>
        [.. rows.Select(r => new LagSample(Now.AddSeconds(-r.Ago), r.Events, r.Age))];
}
