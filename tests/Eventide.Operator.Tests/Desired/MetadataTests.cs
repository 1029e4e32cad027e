using Eventide.Operator.Desired;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class MetadataTests
{
    [Fact]
    public void Every_object_has_the_pipeline_as_controlling_owner()
    {
        var p = Pipelines.Build(s => { s.Monitoring.ServiceMonitor = true; s.Ingestion.Ingress = new IngressSpec { Enabled = true, Host = "h" }; });
        var objects = PipelineSteps.All.Select(s => s.Build(p, new ObservedState(true))).OfType<k8s.IKubernetesObject<V1ObjectMeta>>().ToList();
        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.Equal(("uid-1", true), (o.Metadata.OwnerReferences.Single().Uid, o.Metadata.OwnerReferences.Single().Controller == true)));
    }

    [Fact]
    public void Objects_of_a_pipeline_without_a_uid_have_no_owner_references()
    {
        var p = Pipelines.Build();
        p.Metadata.Uid = null;
        Assert.All(PipelineSteps.All.Select(s => s.Build(p, ObservedState.Initial)).OfType<k8s.IKubernetesObject<V1ObjectMeta>>(), o => Assert.Null(o.Metadata.OwnerReferences));
    }
}
