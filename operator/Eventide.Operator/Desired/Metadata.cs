using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Desired;

public static class Metadata
{
    /// <summary>
    /// Metadata of an owned object. The owner reference makes Kubernetes' garbage
    /// collector delete the object with its pipeline; it is left out only when the
    /// pipeline has no uid yet (rendering a file that was never applied).
    /// </summary>
    public static V1ObjectMeta For(EventPipeline p, string name, DataPlaneRole? role) => new()
    {
        Name = name,
        NamespaceProperty = p.Namespace,
        Labels = Labels.For(p, role),
        OwnerReferences = p.Uid is { } uid
            ? [new V1OwnerReference { ApiVersion = EventPipeline.ApiVersionValue, Kind = EventPipeline.KindValue, Name = p.Name, Uid = uid, Controller = true, BlockOwnerDeletion = true }]
            : null,
    };

    /// <summary>Whether the live object is this pipeline's: an object of the same name made by someone else is left alone.</summary>
    public static bool IsOwnedBy(V1ObjectMeta? meta, EventPipeline p) =>
        meta?.OwnerReferences?.Any(r => r.Uid == p.Uid) ?? false;
}
