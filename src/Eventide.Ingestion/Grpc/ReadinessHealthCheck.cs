using Eventide.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Eventide.Ingestion.Grpc;

/// <summary>
/// The gRPC health service's view of readiness: the same checks /readyz runs (database
/// reachable, schema current, roles able to serve), so a load balancer probing over gRPC and
/// one probing /readyz agree.
/// </summary>
public sealed class ReadinessHealthCheck(IEnumerable<IReadinessCheck> checks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var check in checks)
        {
            var result = await ReadinessProbe.RunAsync(check, cancellationToken);
            if (!result.Ready)
            {
                return HealthCheckResult.Unhealthy($"{check.Name}: {result.Detail}");
            }
        }
        return HealthCheckResult.Healthy();
    }
}
