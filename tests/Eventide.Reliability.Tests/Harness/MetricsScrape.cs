using System.Globalization;
using Eventide.Testing;

namespace Eventide.Reliability.Tests.Harness;

/// <summary>Reads counters from a process's Prometheus /metrics page.</summary>
public static class MetricsScrape
{
    /// <summary>eventide_processor_events_total{outcome="duplicate"}: deliveries the processor dropped as already stored.</summary>
    public static async Task<double> DuplicatesAsync(EventideProcess processor)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri(processor.Address, "/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith("eventide_processor_events_total{", StringComparison.Ordinal) && l.Contains("outcome=\"duplicate\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The values of every sample of <paramref name="name"/> (any labels) on the process's /metrics page.</summary>
    public static async Task<IReadOnlyList<double>> SamplesAsync(EventideProcess process, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri(process.Address, "/metrics"));
        return [.. text.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))];
    }
}
