namespace Eventide.Operator.Resources;

/// <summary>Desired state of a pipeline. Defaults here match the CRD schema defaults (a test keeps them equal).</summary>
public sealed class EventPipelineSpec
{
    /// <summary>The data-plane image; every role runs from it.</summary>
    public string Image { get; set; } = "";

    public string ImagePullPolicy { get; set; } = "IfNotPresent";

    public DatabaseSpec Database { get; set; } = new();

    /// <summary>Secret holding the admin token the operator uses to read lag.</summary>
    public AdminTokenSecretRef AdminTokenSecretRef { get; set; } = new();

    /// <summary>Number of inbox shards; fixed at creation.</summary>
    public int Shards { get; set; } = 64;

    public RetentionSpec Retention { get; set; } = new();

    public IngestionSpec Ingestion { get; set; } = new();

    public ProcessorSpec Processor { get; set; } = new();

    public QuerySpec Query { get; set; } = new();

    public MonitoringSpec Monitoring { get; set; } = new();

    public NetworkPoliciesSpec NetworkPolicies { get; set; } = new();
}
