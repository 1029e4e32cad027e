using Eventide.Core;

namespace Eventide.Server;

public static class HealthApi
{
    /// <summary>/healthz: the process is alive. /readyz: every readiness check of the running roles passes.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints, Role roles)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"))
            .WithName("Healthz").WithSummary("Liveness: the process is serving HTTP.").ExcludeFromDescription();

        endpoints.MapGet("/readyz", async (IEnumerable<IReadinessCheck> checks, CancellationToken ct) =>
        {
            var results = new Dictionary<string, object>();
            var ready = true;
            foreach (var check in checks)
            {
                var result = await ReadinessProbe.RunAsync(check, ct);
                ready &= result.Ready;
                results[check.Name] = new { ready = result.Ready, detail = result.Detail };
            }
            var body = new { status = ready ? "ready" : "not ready", roles = roles.ToString().ToLowerInvariant(), checks = results };
            return Results.Json(body, statusCode: ready ? 200 : 503);
        }).WithName("Readyz").WithSummary("Readiness: database reachable, schema current, roles able to serve.").ExcludeFromDescription();
        return endpoints;
    }
}
