using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class HorizontalPodAutoscalerBuilderTests
{
    [Fact]
    public void Build_returns_null_for_processor_and_when_max_equals_replicas()
    {
        Assert.Null(HorizontalPodAutoscalerBuilder.Build(Pipelines.Build(), DataPlaneRole.Processor));
        Assert.Null(HorizontalPodAutoscalerBuilder.Build(Pipelines.Build(s => s.Ingestion.MaxReplicas = s.Ingestion.Replicas), DataPlaneRole.Ingestion));
    }

    [Fact]
    public void Build_scales_query_on_cpu_from_its_replicas()
    {
        var hpa = HorizontalPodAutoscalerBuilder.Build(Pipelines.Build(), DataPlaneRole.Query)!;
        Assert.Equal("cpu", hpa.Spec.Metrics.Single().Resource.Name);
        Assert.Equal(2, hpa.Spec.MinReplicas);
        Assert.Equal("p-query", hpa.Spec.ScaleTargetRef.Name);
    }
}
