using Eventide.Server.Metrics;

namespace Eventide.Server.Tests.Metrics;

public class PrometheusTextTests
{
    [Theory]
    [InlineData("eventide_ok:name", "eventide_ok:name")]
    [InlineData("db.client.connection.count", "db_client_connection_count")]
    [InlineData("5xx-rate", "_5xx_rate")]
    [InlineData("h\u00e9llo world", "h_llo_world")]
    public void MetricName_maps_to_the_prometheus_alphabet(string name, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(name));

    [Theory]
    [InlineData("db.client.connection.state", "db_client_connection_state")]
    [InlineData("a:b", "a_b")]
    [InlineData("__name__", "tag__name__")]
    public void LabelName_drops_colons_and_avoids_reserved_names(string name, string expected) =>
        Assert.Equal(expected, PrometheusText.LabelName(name));

    [Theory]
    [InlineData("eventide_x", "eventide_x_total")]
    [InlineData("eventide_x_total", "eventide_x_total")]
    public void CounterName_appends_total_once(string name, string expected) =>
        Assert.Equal(expected, PrometheusText.CounterName(name));

    [Fact]
    public void Escaping_follows_the_text_format()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.EscapeLabelValue("a\\b\"c\nd"));
        Assert.Equal("say \"hi\"\\nor \\\\", PrometheusText.EscapeHelp("say \"hi\"\nor \\"));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.0025, "0.0025")]
    [InlineData(10d, "10")]
    public void Number_formats_go_parsable_values(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Number(value));
}
