using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// The step for one owned object: apply what its builder returned, or delete
/// the object when the builder returned null (CloudNativePG's handlePDB
/// pattern), so optional objects need no separate prune list.
/// </summary>
public sealed class OwnedObjectStep<T>(string name, OwnedKind<T> kind, Func<EventPipeline, string> objectName, Func<EventPipeline, ObservedState, T?> build)
    : IOwnedObjectStep
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public string Name { get; } = name;

    public IKubernetesObject<V1ObjectMeta>? Build(EventPipeline p, ObservedState observed) => build(p, observed);

    public async Task<IKubernetesObject<V1ObjectMeta>?> RunAsync(IKubernetes client, EventPipeline p, ObservedState observed, string fieldManager, ILogger logger, CancellationToken ct)
    {
        if (build(p, observed) is { } desired)
        {
            return await kind.ApplyAsync(client, desired, fieldManager, ct);
        }
        var objName = objectName(p);
        var existing = await kind.ReadAsync(client, p.Namespace, objName, ct);
        // Delete only what this pipeline owns; an object of the same name made by someone else stays.
        if (existing is not null && Metadata.IsOwnedBy(existing.Metadata, p) && await kind.DeleteAsync(client, p.Namespace, objName, ct))
        {
            Log.Pruned(logger, kind.Kind, objName, $"{p.Namespace}/{p.Name}");
        }
        return null;
    }
}
