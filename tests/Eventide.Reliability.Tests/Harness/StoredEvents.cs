using Eventide.Testing;
using Npgsql;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>What the pipeline stored, read straight from the database, and the exactly-once check.</summary>
public static class StoredEvents
{
    public static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Events acknowledged but not yet moved to the events table.</summary>
    public static Task<long> InboxEventsAsync(NpgsqlDataSource dataSource) =>
        ScalarAsync(dataSource, "SELECT coalesce(sum(event_count), 0) FROM eventide.inbox");

    /// <summary>Waits until the processors have emptied the inbox.</summary>
    public static Task DrainAsync(NpgsqlDataSource dataSource, TimeSpan timeout) =>
        Eventually.WaitAsync(() => InboxEventsAsync(dataSource), n => n == 0, timeout, "the inbox to drain (lag 0)");

    /// <summary>Rows per event id of one site.</summary>
    public static async Task<Dictionary<string, long>> CountsAsync(NpgsqlDataSource dataSource, string site)
    {
        await using var cmd = dataSource.CreateCommand("SELECT event_id, count(*) FROM eventide.events WHERE site_id = $1 GROUP BY event_id");
        cmd.Parameters.AddWithValue(site);
        await using var reader = await cmd.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>
    /// Every acknowledged id stored exactly once, no id stored twice, nothing stored that
    /// was never sent, no dead letters. Returns a one-line summary for the test output.
    /// </summary>
    public static async Task<string> AssertExactlyOnceAsync(NpgsqlDataSource dataSource, LoadGenerator load)
    {
        var counts = await CountsAsync(dataSource, load.Site);
        var sent = load.Sent.ToHashSet(StringComparer.Ordinal);
        var acknowledged = load.Acknowledged;
        var lost = acknowledged.Where(id => !counts.ContainsKey(id)).ToList();
        var twice = counts.Where(kv => kv.Value > 1).Select(kv => $"{kv.Key}×{kv.Value}").ToList();
        var invented = counts.Keys.Where(id => !sent.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged ids were lost, e.g. {string.Join(", ", lost.Take(5))}");
        Assert.True(twice.Count == 0, $"{twice.Count} ids were stored more than once, e.g. {string.Join(", ", twice.Take(5))}");
        Assert.True(invented.Count == 0, $"{invented.Count} stored ids were never sent, e.g. {string.Join(", ", invented.Take(5))}");
        Assert.Equal(0, await ScalarAsync(dataSource, "SELECT count(*) FROM eventide.dead_letters"));
        Assert.Empty(load.Violations);
        return $"{sent.Count} ids sent, {acknowledged.Count} acknowledged, {counts.Count} stored (each once), " +
            $"{counts.Count - acknowledged.Count} stored without a 202 seen (in doubt), {load.Timeouts} client timeouts; answers: " +
            string.Join(", ", load.Outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key)}×{g.Count()}"));
    }
}
