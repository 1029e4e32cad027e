using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class TriggerAuthenticationBuilderTests
{
    [Fact]
    public void Build_reads_the_libpq_connection_from_the_database_secret_in_keda_mode()
    {
        var auth = TriggerAuthenticationBuilder.Build(Pipelines.Build(s => s.Processor.Autoscaling.Mode = AutoscalingModes.Keda))!;
        var target = auth.Spec.SecretTargetRef!.Single();
        Assert.Equal(("connection", "db", "libpqConnectionString"), (target.Parameter, target.Name, target.Key));
        Assert.Null(TriggerAuthenticationBuilder.Build(Pipelines.Build()));
    }
}
