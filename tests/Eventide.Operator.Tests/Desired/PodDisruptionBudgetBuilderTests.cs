using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class PodDisruptionBudgetBuilderTests
{
    [Fact]
    public void Build_lets_one_pod_go_at_a_time()
    {
        var pdb = PodDisruptionBudgetBuilder.Build(Pipelines.Build(), DataPlaneRole.Processor);
        Assert.Equal(1, pdb.Spec.MaxUnavailable.ToInt());
        Assert.Equal("processor", pdb.Spec.Selector.MatchLabels[Labels.Component]);
    }
}
