using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ServiceAccountBuilderTests
{
    [Fact]
    public void Build_mounts_no_token_because_the_data_plane_never_calls_the_api()
    {
        Assert.False(ServiceAccountBuilder.Build(Pipelines.Build()).AutomountServiceAccountToken);
    }
}
