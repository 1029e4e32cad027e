using Eventide.Operator.Resources;

namespace Eventide.Operator.Reconciliation;

/// <summary>When to look at a pipeline again after a successful reconcile: a pure decision.</summary>
public static class Requeue
{
    /// <summary>
    /// Lag mode polls lag on its interval; otherwise the pipeline is looked at
    /// again soon while it rolls out, and on the resync period once it is ready.
    /// </summary>
    public static TimeSpan After(EventPipelineSpec spec, bool allReady, OperatorOptions options)
    {
        var poll = options.LagPollInterval ?? TimeSpan.FromSeconds(spec.Processor.Autoscaling.PollIntervalSeconds);
        return spec.Processor.Autoscaling.Mode == AutoscalingModes.Lag || !allReady ? poll : options.Resync;
    }
}
