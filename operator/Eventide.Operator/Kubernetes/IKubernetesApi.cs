using System.Text.Json.Nodes;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// The narrow slice of the Kubernetes API the operator uses. KubernetesClient
/// is not in our registry; this interface is where it would plug in.
/// </summary>
public interface IKubernetesApi
{
    /// <summary>The object, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken ct);

    Task<ResourceList> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct);

    /// <exception cref="KubeApiException">409 when it already exists.</exception>
    Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken ct);

    /// <summary>PUT: optimistic concurrency on metadata.resourceVersion (409 when stale).</summary>
    Task<JsonObject> ReplaceAsync(ResourceType type, string? ns, string name, JsonObject obj, CancellationToken ct);

    /// <summary>Server-side apply of a whole object under a field manager.</summary>
    Task<JsonObject> ApplyAsync(JsonObject obj, string fieldManager, bool force, CancellationToken ct);

    /// <summary>JSON merge patch (RFC 7386) of the object, or of its status with <paramref name="subresource"/> "status".</summary>
    Task<JsonObject> MergePatchAsync(ResourceType type, string? ns, string name, JsonObject patch, string? subresource, CancellationToken ct);

    /// <summary>Deletes in the background (dependents by the garbage collector); false when it was not there.</summary>
    Task<bool> DeleteAsync(ResourceType type, string? ns, string name, CancellationToken ct);

    /// <summary>Watches from a resourceVersion, with bookmarks. Ends when the server closes the stream.</summary>
    /// <exception cref="KubeApiException">410 when the resourceVersion is too old.</exception>
    IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, string resourceVersion, string? labelSelector, CancellationToken ct);
}
