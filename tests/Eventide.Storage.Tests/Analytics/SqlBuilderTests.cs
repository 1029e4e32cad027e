using System.Text.Json;
using Eventide.Storage.Analytics;
using Eventide.Testing;
using Npgsql;

namespace Eventide.Storage.Tests.Analytics;

/// <summary>
/// Raw-event scans run without JIT: over 30 daily partitions JIT compiled hundreds of functions
/// per parallel worker, and past jit_optimize_above_cost its optimization took seconds (see
/// docs/query.md, "Speed"). The setting must cover the statement's planning and nothing after
/// it, since the connection goes back to the pool.
/// </summary>
public class SqlBuilderTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    // A one-connection pool, so the follow-up command runs on the connection the batch used;
    // jit_above_cost = 0 makes every statement a JIT candidate, so only the setting can stop it.
    private NpgsqlDataSource JitEverywhere() => NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1, Options = "-c jit_above_cost=0" }.ConnectionString);

    [Fact]
    public async Task ToBatchWithoutJit_plans_the_statement_without_jit_and_leaves_the_pooled_connection_as_it_was()
    {
        await using var dataSource = JitEverywhere();
        await using (var available = dataSource.CreateCommand("SELECT pg_jit_available()"))
        {
            // The test's PostgreSQL (Debian's postgresql-15) ships llvmjit; without it the control below would prove nothing.
            Assert.True((bool)(await available.ExecuteScalarAsync())!, "JIT is available on the test server");
        }

        Assert.True(HasJit(await ExplainAsync(dataSource, withoutJit: false)), "the control statement is compiled");
        Assert.False(HasJit(await ExplainAsync(dataSource, withoutJit: true)), "the statement after set_config is planned without JIT");

        await using var after = dataSource.CreateCommand("SELECT current_setting('jit')");
        Assert.Equal("on", (string)(await after.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ToBatchWithoutJit_passes_the_parameters_to_the_statement()
    {
        await using var dataSource = JitEverywhere();
        var sql = new SqlBuilder();
        sql.Append($"SELECT {sql.Param("a")} || {sql.Param(42)}::text, current_setting('jit')");
        await using var batch = sql.ToBatchWithoutJit(dataSource);
        await using var reader = await batch.ExecuteReaderAsync();
        Assert.True(await reader.NextResultAsync());
        Assert.True(await reader.ReadAsync());
        Assert.Equal("a42", reader.GetString(0));
        Assert.Equal("off", reader.GetString(1));
    }

    private static async Task<JsonElement> ExplainAsync(NpgsqlDataSource dataSource, bool withoutJit)
    {
        var sql = new SqlBuilder();
        sql.Append($"EXPLAIN (ANALYZE, FORMAT JSON) SELECT sum(g) FROM generate_series(1, {sql.Param(100_000)}) g");
        await using var batch = withoutJit ? sql.ToBatchWithoutJit(dataSource) : sql.ToBatch(dataSource);
        await using var reader = await batch.ExecuteReaderAsync();
        if (withoutJit)
        {
            Assert.True(await reader.NextResultAsync());
        }
        Assert.True(await reader.ReadAsync());
        using var doc = JsonDocument.Parse(reader.GetString(0));
        return doc.RootElement[0].Clone();
    }

    private static bool HasJit(JsonElement explain) => explain.TryGetProperty("JIT", out _);
}
