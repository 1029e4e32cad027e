using Eventide.Core;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Eventide.Server.Tests.Metrics;

/// <summary>An in-process Eventide host for a set of roles on a free loopback port.</summary>
public sealed class RoleHost : IAsyncDisposable
{
    private RoleHost(WebApplication app, Role roles)
    {
        App = app;
        Roles = roles;
        Address = LoopbackKestrel.AddressOf(app);
        Http = new HttpClient { BaseAddress = Address };
    }

    public WebApplication App { get; }

    public Role Roles { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public static async Task<RoleHost> StartAsync(EventideOptions options, Role roles, IDictionary<string, string?>? configuration = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration ?? new Dictionary<string, string?>()).Build();
        var app = EventideHost.Build(options, roles, "http://127.0.0.1:0", config);
        await app.StartAsync();
        return new RoleHost(app, roles);
    }

    public Task<string> ScrapeTextAsync() => Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    public async Task<Exposition> ScrapeAsync() => Exposition.Parse(await ScrapeTextAsync());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
