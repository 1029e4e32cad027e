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
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // As /readyz: a check that hangs (database unreachable) counts as failing.
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            ReadinessResult result;
            try
            {
                result = await check.CheckAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = new ReadinessResult(false, "timed out after 3 s");
            }
            if (!result.Ready)
            {
                return HealthCheckResult.Unhealthy($"{check.Name}: {result.Detail}");
            }
        }
        return HealthCheckResult.Healthy();
    }
}
