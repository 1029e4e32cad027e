using System.Text.Json.Nodes;

namespace Eventide.Operator.Kubernetes;

/// <summary>A list answer: the items and the resourceVersion to watch from.</summary>
public sealed record ResourceList(IReadOnlyList<JsonObject> Items, string ResourceVersion);
