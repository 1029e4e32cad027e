using System.Diagnostics.Metrics;
using Eventide.Server.Metrics;

namespace Eventide.Server.Tests.Metrics;

public sealed class PrometheusExporterTests : IDisposable
{
    // Instruments of the kinds the roles use, on a meter named like theirs.
    private readonly Meter _meter = new(PrometheusExporter.MeterName);
    private readonly PrometheusExporter _exporter = new(maxSeries: 5);

    public void Dispose()
    {
        _meter.Dispose();
        _exporter.Dispose();
    }

    [Fact]
    public void Counter_gets_total_suffix_type_help_and_sums_per_label_set()
    {
        var counter = _meter.CreateCounter<long>("eventide_t_counter_requests", "{request}", "Requests by status.");
        counter.Add(2, new KeyValuePair<string, object?>("status", 202));
        counter.Add(3, new KeyValuePair<string, object?>("status", 202));
        counter.Add(1, new KeyValuePair<string, object?>("status", 400));
        counter.Add(-7, new KeyValuePair<string, object?>("status", 400));

        var text = _exporter.Scrape();
        var scrape = Exposition.Parse(text);

        Assert.Equal("counter", scrape.Types["eventide_t_counter_requests_total"]);
        Assert.Equal("Requests by status.", scrape.Help["eventide_t_counter_requests_total"]);
        Assert.Equal(5, scrape.Value("eventide_t_counter_requests_total", ("status", "202")));
        Assert.Equal(1, scrape.Value("eventide_t_counter_requests_total", ("status", "400")));
        Assert.DoesNotContain("eventide_t_counter_requests{", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Counter_matches_tags_given_in_any_order_to_one_series()
    {
        var counter = _meter.CreateCounter<double>("eventide_t_order_events");
        counter.Add(1.5, new("outcome", "rejected"), new("reason", "too_big"));
        counter.Add(2, new("reason", "too_big"), new("outcome", "rejected"));

        var scrape = Exposition.Parse(_exporter.Scrape());

        var sample = Assert.Single(scrape.Named("eventide_t_order_events_total"));
        Assert.Equal(3.5, sample.Value);
        Assert.Equal(new Dictionary<string, string> { ["outcome"] = "rejected", ["reason"] = "too_big" }, sample.Labels);
    }

    [Fact]
    public void Label_sets_are_told_apart_by_key_and_merged_by_rendered_value()
    {
        // Same values under swapped keys: an order-independent value hash collides; matching must not.
        var counter = _meter.CreateCounter<long>("eventide_t_swap_events");
        counter.Add(1, new("a", "x"), new("b", "y"));
        counter.Add(10, new("a", "y"), new("b", "x"));
        counter.Add(100, new("a", 1), new("b", "y"));
        counter.Add(1000, new("b", "y"), new("a", "1"));

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.Equal(1, scrape.Value("eventide_t_swap_events_total", ("a", "x"), ("b", "y")));
        Assert.Equal(10, scrape.Value("eventide_t_swap_events_total", ("a", "y"), ("b", "x")));
        // 1 and "1" render alike, so they must be one series (one exposition line), not two.
        Assert.Equal(1100, scrape.Value("eventide_t_swap_events_total", ("a", "1"), ("b", "y")));
    }

    [Fact]
    public void Histogram_renders_cumulative_buckets_with_inf_sum_and_count()
    {
        var histogram = _meter.CreateHistogram<double>("eventide_t_hist_duration_seconds", "s", "Durations.");
        double[] values = [0.0003, 0.004, 0.004, 0.3, 7, 42];
        foreach (var v in values)
        {
            histogram.Record(v, new KeyValuePair<string, object?>("endpoint", "summary"));
        }

        var text = _exporter.Scrape();
        var scrape = Exposition.Parse(text);

        Assert.Equal("histogram", scrape.Types["eventide_t_hist_duration_seconds"]);
        foreach (var le in HistogramBuckets.Seconds)
        {
            var expected = values.Count(v => v <= le);
            Assert.Equal(expected, scrape.Value("eventide_t_hist_duration_seconds_bucket", ("endpoint", "summary"), ("le", PrometheusText.Number(le))));
        }
        Assert.Equal(values.Length, scrape.Value("eventide_t_hist_duration_seconds_bucket", ("endpoint", "summary"), ("le", "+Inf")));
        Assert.Equal(values.Sum(), scrape.Value("eventide_t_hist_duration_seconds_sum", ("endpoint", "summary")), 9);
        Assert.Equal(values.Length, scrape.Value("eventide_t_hist_duration_seconds_count", ("endpoint", "summary")));
        Assert.Contains("eventide_t_hist_duration_seconds_bucket{endpoint=\"summary\",le=\"0.005\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_uses_event_buckets_for_counts_and_advice_when_given()
    {
        var batch = _meter.CreateHistogram<long>("eventide_t_batch_events", "{event}", "Batch sizes.");
        var advised = _meter.CreateHistogram<double>("eventide_t_advised_seconds", "s", "Advised.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2] });
        batch.Record(700);
        advised.Record(0.15);

        var scrape = Exposition.Parse(_exporter.Scrape());

        var batchLes = scrape.Named("eventide_t_batch_events_bucket").Select(s => s.Labels["le"]).ToArray();
        Assert.Equal([.. HistogramBuckets.Events.Select(PrometheusText.Number), "+Inf"], batchLes);
        Assert.Equal(0, scrape.Value("eventide_t_batch_events_bucket", ("le", "500")));
        Assert.Equal(1, scrape.Value("eventide_t_batch_events_bucket", ("le", "1000")));
        var advisedLes = scrape.Named("eventide_t_advised_seconds_bucket").Select(s => (s.Labels["le"], s.Value)).ToArray();
        Assert.Equal([("0.1", 0d), ("0.2", 1d), ("+Inf", 1d)], advisedLes);
    }

    [Fact]
    public void Gauges_updown_counters_and_observed_instruments_are_gauges()
    {
        var depth = _meter.CreateUpDownCounter<int>("eventide_t_gauge_buffer_events");
        var last = _meter.CreateGauge<double>("eventide_t_gauge_last_seconds");
        var lag = new Dictionary<int, long> { [0] = 12, [3] = 4 };
        _meter.CreateObservableGauge("eventide_t_gauge_lag_events",
            () => lag.Select(kv => new Measurement<long>(kv.Value, new KeyValuePair<string, object?>("shard", kv.Key))));
        _meter.CreateObservableCounter("eventide_t_gauge_cpu_seconds", () => 1.25);
        depth.Add(10);
        depth.Add(-4);
        last.Record(3);
        last.Record(2);

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.Equal("gauge", scrape.Types["eventide_t_gauge_buffer_events"]);
        Assert.Equal(6, scrape.Value("eventide_t_gauge_buffer_events"));
        Assert.Equal(2, scrape.Value("eventide_t_gauge_last_seconds"));
        Assert.Equal("gauge", scrape.Types["eventide_t_gauge_lag_events"]);
        Assert.Equal(12, scrape.Value("eventide_t_gauge_lag_events", ("shard", "0")));
        Assert.Equal(4, scrape.Value("eventide_t_gauge_lag_events", ("shard", "3")));
        Assert.Equal("counter", scrape.Types["eventide_t_gauge_cpu_seconds_total"]);
        Assert.Equal(1.25, scrape.Value("eventide_t_gauge_cpu_seconds_total"));
    }

    [Fact]
    public void Observed_series_not_reported_by_the_latest_collection_disappear()
    {
        var owned = new List<int> { 1, 2 };
        _meter.CreateObservableGauge("eventide_t_obs_lag_seconds",
            () => owned.Select(s => new Measurement<double>(0.5, new KeyValuePair<string, object?>("shard", s))).ToArray());

        Assert.Equal(2, Exposition.Parse(_exporter.Scrape()).Named("eventide_t_obs_lag_seconds").Count());
        owned.Remove(1);
        var after = Exposition.Parse(_exporter.Scrape());

        var sample = Assert.Single(after.Named("eventide_t_obs_lag_seconds"));
        Assert.Equal("2", sample.Labels["shard"]);
    }

    [Fact]
    public void Observed_updown_counters_add_the_same_label_set_across_callbacks()
    {
        using var second = new Meter(PrometheusExporter.MeterName);
        _meter.CreateObservableUpDownCounter("eventide_t_pool_connections", () => new Measurement<int>(3, new KeyValuePair<string, object?>("state", "idle")));
        second.CreateObservableUpDownCounter("eventide_t_pool_connections", () => new Measurement<int>(4, new KeyValuePair<string, object?>("state", "idle")));

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.Equal(7, scrape.Value("eventide_t_pool_connections", ("state", "idle")));
    }

    [Fact]
    public void Label_values_are_escaped_and_names_sanitized()
    {
        var counter = _meter.CreateCounter<int>("eventide.t-escape/requests");
        counter.Add(1, new KeyValuePair<string, object?>("http.route", "a\\b\"c\nd"), new KeyValuePair<string, object?>("__x", true));

        var text = _exporter.Scrape();

        Assert.Contains("eventide_t_escape_requests_total{http_route=\"a\\\\b\\\"c\\nd\",tag__x=\"true\"} 1\n", text, StringComparison.Ordinal);
        var sample = Assert.Single(Exposition.Parse(text).Named("eventide_t_escape_requests_total"));
        Assert.Equal("a\\b\"c\nd", sample.Labels["http_route"]);
    }

    [Fact]
    public void Series_beyond_the_cap_are_dropped_and_counted()
    {
        var counter = _meter.CreateCounter<long>("eventide_t_cap_events");
        for (var i = 0; i < 8; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("n", i));
        }
        counter.Add(1, new KeyValuePair<string, object?>("n", 0));

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.Equal(5, scrape.Named("eventide_t_cap_events_total").Count());
        Assert.Equal(2, scrape.Value("eventide_t_cap_events_total", ("n", "0")));
        Assert.Equal(3, scrape.Value(PrometheusExporter.DroppedSeriesName, ("metric", "eventide_t_cap_events_total")));
    }

    [Fact]
    public void Metrics_on_other_meters_are_not_exposed()
    {
        using var other = new Meter("Eventide.Tests.Other");
        other.CreateCounter<long>("eventide_t_other_events").Add(1);

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.DoesNotContain("eventide_t_other_events_total", scrape.Types.Keys);
    }

    [Fact]
    public async Task Concurrent_recording_and_scraping_loses_no_increments()
    {
        var counter = _meter.CreateCounter<long>("eventide_t_concurrent_events");
        var histogram = _meter.CreateHistogram<double>("eventide_t_concurrent_seconds");
        const int Threads = 4, PerThread = 20_000;
        var writers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("w", t % 2));
                histogram.Record(0.001);
            }
        })).ToArray();
        while (!writers.All(w => w.IsCompleted))
        {
            Exposition.Parse(_exporter.Scrape());
            await Task.Yield();
        }
        await Task.WhenAll(writers);

        var scrape = Exposition.Parse(_exporter.Scrape());

        Assert.Equal(Threads * PerThread, scrape.Named("eventide_t_concurrent_events_total").Sum(s => s.Value));
        Assert.Equal(Threads * PerThread, scrape.Value("eventide_t_concurrent_seconds_count"));
        Assert.Equal(Threads * PerThread * 0.001, scrape.Value("eventide_t_concurrent_seconds_sum"), 6);
    }
}
