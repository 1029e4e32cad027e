using System.Text.Json;

namespace Eventide.Server.Tests.Metrics;

public class DashboardTests
{
    [Fact]
    public void MetricNames_skips_functions_labels_keywords_strings_and_durations()
    {
        const string Expr = """
            histogram_quantile(0.99, sum by (le, endpoint) (rate(eventide_query_duration_seconds_bucket{endpoint=~"$endpoint", job!="x y"}[$__rate_interval])))
              / on (instance) group_left max without (shard) (eventide_processor_lag_seconds offset 5m) > bool 0 or vector(1e3)
            """;

        Assert.Equal(["eventide_processor_lag_seconds", "eventide_query_duration_seconds_bucket"], Dashboards.MetricNames(Expr).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dashboards_cover_each_area_with_a_prometheus_datasource_variable()
    {
        var uids = new List<string>();
        foreach (var file in Dashboards.Files())
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            uids.Add(root.GetProperty("uid").GetString()!);
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), file);
            var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource"
                && v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");
            foreach (var panel in root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row"))
            {
                var title = panel.GetProperty("title").GetString();
                Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
                var targets = panel.GetProperty("targets").EnumerateArray().ToList();
                Assert.True(targets.Count > 0, $"{file}: panel '{title}' has no query");
                Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), $"{file}: panel '{title}'"));
            }
        }
        Assert.Equal(["eventide-database", "eventide-ingestion", "eventide-operator", "eventide-processor", "eventide-query"], uids.Order(StringComparer.Ordinal));
    }
}
