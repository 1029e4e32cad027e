using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Eventide.Operator.Resources;

/// <summary>The <c>eventide.io/v1alpha1</c> EventPipeline custom resource.</summary>
public sealed class EventPipeline
{
    public const string Group = "eventide.io";
    public const string Version = "v1alpha1";
    public const string ApiVersionValue = Group + "/" + Version;
    public const string KindValue = "EventPipeline";
    public const string Plural = "eventpipelines";

    public string ApiVersion { get; set; } = ApiVersionValue;
    public string Kind { get; set; } = KindValue;

    /// <summary>Object metadata, kept as JSON: the operator only reads name, namespace, uid and generation.</summary>
    public JsonObject Metadata { get; set; } = [];

    public EventPipelineSpec Spec { get; set; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EventPipelineStatus? Status { get; set; }

    [JsonIgnore]
    public string Name => (string?)Metadata["name"] ?? "";

    [JsonIgnore]
    public string Namespace => (string?)Metadata["namespace"] ?? "default";

    [JsonIgnore]
    public string? Uid => (string?)Metadata["uid"];

    [JsonIgnore]
    public long Generation => Kubernetes.Json.Long(Metadata["generation"]) ?? 0;
}
