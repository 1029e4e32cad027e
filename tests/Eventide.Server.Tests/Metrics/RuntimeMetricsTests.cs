using System.Net;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Server.Tests.Metrics;

/// <summary>
/// Process-wide numbers (the database pools of every host in the process are
/// summed, as in production where one process runs one host), so these run
/// alone, after the parallel tests.
/// </summary>
[Collection(SerialMetricsCollection.Name)]
public class RuntimeMetricsTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Metrics_endpoint_serves_the_text_format_with_runtime_and_pool_metrics()
    {
        await using var host = await RoleHost.StartAsync(db.Options(), Role.Query);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        // The committed-memory gauge reports the last collection's figure: make sure there was one.
        GC.Collect();
        var response = await host.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = Exposition.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(scrape.Value("eventide_process_cpu_seconds_total") > 0);
        Assert.True(scrape.Value("eventide_process_resident_memory_bytes") > 1_000_000);
        Assert.True(scrape.Value("eventide_dotnet_gc_heap_bytes") > 0);
        Assert.True(scrape.Value("eventide_dotnet_gc_committed_bytes") > 0);
        Assert.Equal(["gen0", "gen1", "gen2", "loh", "poh"], scrape.Named("eventide_dotnet_gc_generation_size_bytes").Select(s => s.Labels["generation"]).Order());
        Assert.True(scrape.Value("eventide_dotnet_gc_generation_size_bytes", ("generation", "gen2")) > 0);
        Assert.True(scrape.Value("eventide_dotnet_threadpool_threads") >= 1);
        Assert.Equal(["0", "1", "2"], scrape.Named("eventide_dotnet_gc_collections_total").Select(s => s.Labels["generation"]).Order());
        // The readiness check returned its connection: the pool holds at least one idle one, within the configured maximum.
        Assert.True(scrape.Value("eventide_db_pool_connections", ("pool", "eventide"), ("state", "idle")) >= 1);
        Assert.Equal(0, scrape.Value("eventide_db_pool_connections", ("pool", "eventide"), ("state", "used")));
        Assert.Equal(new NpgsqlConnectionStringBuilder(db.ConnectionString).MaxPoolSize, scrape.Value("eventide_db_pool_max_connections", ("pool", "eventide")));
    }
}
