using Eventide.Operator.Resources;

namespace Eventide.Operator.Autoscaling;

/// <summary>The processor's replica bounds, one definition for the Deployment, KEDA and the lag autoscaler.</summary>
public static class ProcessorReplicas
{
    /// <summary>Never more processors than shards: an extra one would own nothing.</summary>
    public static int Ceiling(EventPipelineSpec spec) => Math.Max(0, Math.Min(spec.Processor.MaxReplicas, spec.Shards));

    /// <summary>The minimum, itself capped by the ceiling.</summary>
    public static int Floor(EventPipelineSpec spec) => Math.Min(spec.Processor.MinReplicas, Ceiling(spec));
}
