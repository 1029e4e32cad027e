using Eventide.Operator.Resources;

namespace Eventide.Operator.Autoscaling;

/// <summary>
/// Processor replicas from inbox lag: a pure function of the lag history, the
/// current replica count and the spec, so that it can be tested as a table.
/// </summary>
/// <remarks>
/// Scale-up is fast: the newest sample decides at once (after the optional
/// scale-up window), and a lag older than <c>maxLagAgeSeconds</c> both weighs
/// the recommendation by how overdue it is and adds at least one replica.
/// Scale-down is slow: the count only falls to the highest recommendation seen
/// over the whole stabilization window, and not at all until the samples span
/// that window, so a brief lull right after a restart of the operator cannot
/// shed processors.
/// </remarks>
public static class LagAutoscaler
{
    public static int Recommend(IReadOnlyList<LagSample> samples, int current, EventPipelineSpec spec, DateTimeOffset now)
    {
        var processor = spec.Processor;
        var scaling = processor.Autoscaling;
        // An extra processor beyond the shard count would own no shard.
        var ceiling = ProcessorReplicas.Ceiling(spec);
        var floor = ProcessorReplicas.Floor(spec);
        var bounded = Math.Clamp(current, floor, ceiling);
        if (samples.Count == 0)
        {
            return bounded;
        }

        var latest = samples[^1];
        var up = Clamp(ForSample(latest, scaling), floor, ceiling);
        if (latest.TotalEvents > 0 && latest.MaxAgeSeconds > scaling.MaxLagAgeSeconds)
        {
            up = Math.Max(up, Math.Min(bounded + 1, ceiling));
        }
        if (up > bounded)
        {
            if (scaling.ScaleUpStabilizationSeconds <= 0)
            {
                return up;
            }
            // Like the HPA: scale up only as far as every sample in the window agrees.
            var upFrom = now.AddSeconds(-scaling.ScaleUpStabilizationSeconds);
            var agreed = samples.Where(s => s.Time >= upFrom).Select(s => Clamp(ForSample(s, scaling), floor, ceiling)).DefaultIfEmpty(up).Min();
            return Math.Max(bounded, Math.Min(up, agreed));
        }
        if (up == bounded)
        {
            return bounded;
        }

        var downFrom = now.AddSeconds(-scaling.ScaleDownStabilizationSeconds);
        if (samples[0].Time > downFrom)
        {
            return bounded;
        }
        var highest = samples.Where(s => s.Time >= downFrom).Select(s => Clamp(ForSample(s, scaling), floor, ceiling)).DefaultIfEmpty(bounded).Max();
        return Math.Min(bounded, Math.Max(highest, up));
    }

    /// <summary>Replicas one sample asks for: lag over target, weighted up by how far the oldest event is past its maximum age.</summary>
    public static long ForSample(LagSample sample, LagAutoscalingSpec scaling)
    {
        var target = Math.Max(1, scaling.TargetLagPerReplica);
        var overdue = Math.Max(1.0, sample.MaxAgeSeconds / Math.Max(1, scaling.MaxLagAgeSeconds));
        var wanted = Math.Ceiling(sample.TotalEvents / (double)target * overdue);
        return wanted >= int.MaxValue ? int.MaxValue : (long)wanted;
    }

    private static int Clamp(long value, int floor, int ceiling) => (int)Math.Clamp(value, floor, ceiling);
}
