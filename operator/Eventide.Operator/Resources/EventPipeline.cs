using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace Eventide.Operator.Resources;

/// <summary>The <c>eventide.io/v1alpha1</c> EventPipeline custom resource, as a typed KubernetesClient object.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindValue, PluralName = Plural)]
public sealed class EventPipeline : IKubernetesObject<V1ObjectMeta>, ISpec<EventPipelineSpec>, IStatus<EventPipelineStatus?>
{
    public const string Group = "eventide.io";
    public const string Version = "v1alpha1";
    public const string ApiVersionValue = Group + "/" + Version;
    public const string KindValue = "EventPipeline";
    public const string Plural = "eventpipelines";

    public string ApiVersion { get; set; } = ApiVersionValue;

    public string Kind { get; set; } = KindValue;

    public V1ObjectMeta Metadata { get; set; } = new();

    public EventPipelineSpec Spec { get; set; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EventPipelineStatus? Status { get; set; }

    [JsonIgnore]
    [YamlIgnore]
    public string Name => Metadata.Name ?? "";

    [JsonIgnore]
    [YamlIgnore]
    public string Namespace => Metadata.NamespaceProperty ?? "default";

    [JsonIgnore]
    [YamlIgnore]
    public string? Uid => Metadata.Uid;

    [JsonIgnore]
    [YamlIgnore]
    public long Generation => Metadata.Generation ?? 0;
}
