using Eventide.Operator.Reconciliation;
using Microsoft.Extensions.Hosting;

namespace Eventide.Operator.Hosting;

/// <summary>Runs the controller for the host's lifetime; stopping the host (SIGTERM) stops leading and releases the Lease.</summary>
public sealed class ControllerService(OperatorController controller) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => controller.RunAsync(stoppingToken);
}
