using System.Net;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Server.Tests.Metrics;

public class RuntimeMetricsTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Metrics_endpoint_serves_the_text_format_with_runtime_process_and_pool_metrics()
    {
        await using var host = await RoleHost.StartAsync(db.Options(), Role.Query);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        // What Prometheus 2.x sends: OpenMetrics first. Eventide answers the classic text format anyway.
        request.Headers.TryAddWithoutValidation("Accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var response = await host.Http.SendAsync(request);
        var scrape = Exposition.Parse(await response.Content.ReadAsStringAsync());

        var type = response.Content.Headers.ContentType!;
        Assert.Equal("text/plain", type.MediaType);
        Assert.Equal("0.0.4", Assert.Single(type.Parameters, p => p.Name == "version").Value);
        Assert.True(scrape.Named("process_cpu_time_seconds_total").Sum(s => s.Value) > 0);
        Assert.True(scrape.Value("process_memory_usage_bytes") > 1_000_000);
        Assert.True(scrape.Value("dotnet_process_memory_working_set_bytes") > 1_000_000);
        Assert.Contains(scrape.Named("dotnet_gc_collections_total"), s => s.Labels["gc_heap_generation"] == "gen0");
        Assert.True(scrape.Value("process_threads") >= 1);
        // The readiness check returned its connection: the shared pool holds an idle one.
        Assert.True(scrape.Value("db_client_connections", ("db_client_connection_pool_name", "eventide"), ("db_client_connection_state", "idle")) >= 1);
        Assert.True(scrape.Value("db_client_connection_max", ("db_client_connection_pool_name", "eventide")) >= new NpgsqlConnectionStringBuilder(db.ConnectionString).MaxPoolSize);
        Assert.Equal(["gen0", "gen1", "gen2", "loh", "poh"],
            scrape.Named("dotnet_gc_last_collection_heap_size_bytes").Select(s => s.Labels["gc_heap_generation"]).Order(StringComparer.Ordinal));
    }
}
