using Eventide.Operator.Kubernetes.Models;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

/// <summary>
/// Gives KEDA's postgresql trigger its connection. KEDA wants a libpq key=value
/// string, which the Npgsql connection string is not, so it reads a second key
/// of the same database Secret.
/// </summary>
public static class TriggerAuthenticationBuilder
{
    public static TriggerAuthentication? Build(EventPipeline p)
    {
        if (p.Spec.Processor.Autoscaling.Mode != AutoscalingModes.Keda)
        {
            return null;
        }
        return new TriggerAuthentication
        {
            Metadata = Metadata.For(p, Names.KedaAuthentication(p), DataPlaneRole.Processor),
            Spec = new TriggerAuthenticationSpec
            {
                SecretTargetRef =
                [
                    new SecretTargetRef { Parameter = "connection", Name = p.Spec.Database.SecretRef.Name, Key = p.Spec.Processor.Autoscaling.KedaConnectionKey },
                ],
            },
        };
    }
}
