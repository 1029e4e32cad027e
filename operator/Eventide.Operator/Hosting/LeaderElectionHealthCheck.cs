using Eventide.Operator.Reconciliation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Eventide.Operator.Hosting;

/// <summary>
/// Readiness: the leader-election loop reached the API server recently. A
/// standby is ready too: readiness says "this replica works", not "this
/// replica leads", or a rollout of two replicas would wait forever for the standby.
/// </summary>
public sealed class LeaderElectionHealthCheck(OperatorController controller) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(controller.IsReady
            ? HealthCheckResult.Healthy(controller.IsLeader ? "leading" : "standby")
            : HealthCheckResult.Unhealthy("the leader election has not reached the API server recently"));
}
