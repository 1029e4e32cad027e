namespace Eventide.Operator.Resources;

public sealed class LagAutoscalingSpec
{
    /// <summary><c>Lag</c> (the operator scales), <c>KEDA</c> (a ScaledObject scales) or <c>Off</c> (min replicas).</summary>
    public string Mode { get; set; } = AutoscalingModes.Lag;

    /// <summary>Inbox events one processor replica is expected to keep up with.</summary>
    public long TargetLagPerReplica { get; set; } = 10000;

    /// <summary>When the oldest waiting event is older than this, the processor scales up fast.</summary>
    public int MaxLagAgeSeconds { get; set; } = 30;

    public int PollIntervalSeconds { get; set; } = 15;

    public int ScaleUpStabilizationSeconds { get; set; }

    public int ScaleDownStabilizationSeconds { get; set; } = 300;

    /// <summary>Key in the database Secret holding a libpq (key=value) connection string for KEDA's postgresql trigger.</summary>
    public string KedaConnectionKey { get; set; } = "libpqConnectionString";
}
