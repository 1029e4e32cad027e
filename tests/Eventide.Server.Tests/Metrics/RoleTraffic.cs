namespace Eventide.Server.Tests.Metrics;

/// <summary>Drives a host through its endpoints so that the roles create and move their instruments.</summary>
public static class RoleTraffic
{
    public static async Task ExerciseAsync(RoleHost host)
    {
        await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
    }
}
