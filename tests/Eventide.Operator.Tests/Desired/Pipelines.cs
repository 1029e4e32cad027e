using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

/// <summary>Pipelines for builder tests: no client, no server.</summary>
internal static class Pipelines
{
    public static EventPipeline Build(Action<EventPipelineSpec>? edit = null)
    {
        var p = new EventPipeline
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "uid-1", Generation = 3 },
            Spec = new EventPipelineSpec
            {
                Image = "eventide:1",
                Database = new DatabaseSpec { SecretRef = new DatabaseSecretRef { Name = "db" } },
                AdminTokenSecretRef = new AdminTokenSecretRef { Name = "admin" },
            },
        };
        edit?.Invoke(p.Spec);
        return p;
    }
}
