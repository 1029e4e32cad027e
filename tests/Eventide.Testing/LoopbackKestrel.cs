using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Eventide.Testing;

/// <summary>
/// Test web servers on Kestrel: each listens on port 0, so the operating system picks a free
/// port and parallel tests never collide, and the real port is read back once started.
/// </summary>
public static class LoopbackKestrel
{
    /// <summary>A slim builder whose server listens on a free port of 127.0.0.1.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    /// <summary>Starts the application and returns the address it listens on.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return AddressOf(app);
    }

    /// <summary>
    /// The first address a started server bound, with the real port when it asked for port 0.
    /// A wildcard host (0.0.0.0, [::]) is given as 127.0.0.1, the address a client can dial.
    /// </summary>
    public static Uri AddressOf(WebApplication app)
    {
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
