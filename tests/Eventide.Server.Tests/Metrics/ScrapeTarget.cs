namespace Eventide.Server.Tests.Metrics;

/// <summary>
/// One endpoint a test Prometheus scrapes: the job it belongs to and the
/// extra target labels (role=…). Another component (the operator, say) is
/// one more target in the list handed to <see cref="PrometheusServer.StartAsync"/>.
/// </summary>
public sealed record ScrapeTarget(string Job, Uri Address, IReadOnlyDictionary<string, string> Labels, string MetricsPath = "/metrics")
{
    /// <summary>An `eventide` role: job eventide, label role.</summary>
    public static ScrapeTarget Role(string role, Uri address) =>
        new("eventide", address, new Dictionary<string, string> { ["role"] = role });
}
