using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Eventide.Server.Tests.Metrics;

public class OtlpExportTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Configured_otlp_endpoint_receives_metric_exports_over_http_protobuf()
    {
        var posts = 0;
        var contentTypes = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var collector = LoopbackKestrel.CreateBuilder().Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            if (body.Length > 0)
            {
                contentTypes.Add(request.ContentType ?? "");
                Interlocked.Increment(ref posts);
            }
            return Results.Ok();
        });
        await collector.StartAsync();

        await using var host = await RoleHost.StartAsync(db.Options(), Role.Query, new Dictionary<string, string?>
        {
            ["Eventide:Telemetry:OtlpEndpoint"] = LoopbackKestrel.AddressOf(collector).ToString(),
            ["Eventide:Telemetry:OtlpExportIntervalMs"] = "200",
        });
        await host.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref posts)), n => n >= 2, TimeSpan.FromSeconds(30), "two OTLP exports");
        Assert.All(contentTypes, t => Assert.Equal("application/x-protobuf", t));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        await collector.StopAsync();
    }

    [Fact]
    public void An_invalid_otlp_endpoint_fails_startup_with_the_setting_named()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Eventide:Telemetry:OtlpEndpoint"] = "collector:4318" }).Build();

        var error = Assert.Throws<OptionsException>(() => { _ = EventideHost.Build(db.Options(), Role.Query, "http://127.0.0.1:0", config); });

        Assert.Contains("Eventide:Telemetry:OtlpEndpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_binary_refuses_an_invalid_otlp_endpoint_from_the_environment_as_a_usage_error()
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { EventideProcess.BinaryPath, "run", "--roles", "query", "--listen", $"http://127.0.0.1:{EventideProcess.FreePort()}" })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["Eventide__Database__ConnectionString"] = db.ConnectionString;
        info.Environment["Eventide__Telemetry__OtlpEndpoint"] = "not-a-url";
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("eventide: Eventide:Telemetry:OtlpEndpoint must be an absolute http(s) URL, got 'not-a-url'", stderr.Trim());
    }
}
