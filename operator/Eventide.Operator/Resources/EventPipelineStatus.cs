namespace Eventide.Operator.Resources;

public sealed class EventPipelineStatus
{
    public long ObservedGeneration { get; set; }

    public List<Condition> Conditions { get; set; } = [];

    public ComponentStatus Ingestion { get; set; } = new();

    public ComponentStatus Processor { get; set; } = new();

    public ComponentStatus Query { get; set; } = new();

    public LagStatus? Lag { get; set; }

    public EndpointsStatus Endpoints { get; set; } = new();
}
