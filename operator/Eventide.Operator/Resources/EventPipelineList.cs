using k8s;
using k8s.Models;

namespace Eventide.Operator.Resources;

/// <summary>A list of EventPipelines as the API server returns it.</summary>
public sealed class EventPipelineList : IKubernetesObject<V1ListMeta>, IItems<EventPipeline>
{
    public string ApiVersion { get; set; } = EventPipeline.ApiVersionValue;

    public string Kind { get; set; } = "EventPipelineList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<EventPipeline> Items { get; set; } = [];
}
