using System.Text.Json;
using Npgsql;

namespace Eventide.Storage.Tests.Processing;

/// <summary>The node types (and relations) of a statement's plan, for the tests that pin a plan's shape.</summary>
internal static class QueryPlan
{
    public static async Task<List<(string Type, string? Relation)>> ExplainAsync(NpgsqlConnection conn, string sql, params object[] parameters)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, conn);
        foreach (var p in parameters)
        {
            explain.Parameters.AddWithValue(p);
        }
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        return [.. Nodes(plan.RootElement[0].GetProperty("Plan"))];
    }

    public static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.CommandTimeout = 120;
        await cmd.ExecuteNonQueryAsync();
    }

    private static IEnumerable<(string Type, string? Relation)> Nodes(JsonElement node)
    {
        yield return (node.GetProperty("Node Type").GetString()!, node.TryGetProperty("Relation Name", out var r) ? r.GetString() : null);
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                foreach (var n in Nodes(child))
                {
                    yield return n;
                }
            }
        }
    }
}
