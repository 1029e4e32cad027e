namespace Eventide.Server.Metrics;

/// <summary>
/// Optional OTLP export, bound from <c>Eventide:Telemetry</c>
/// (env <c>Eventide__Telemetry__OtlpEndpoint</c>). /metrics is always served.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Eventide:Telemetry";

    /// <summary>Collector address, e.g. http://otel-collector:4318; empty disables OTLP export.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>"http/protobuf" (default, port 4318, "/v1/metrics" appended when the path is empty) or "grpc" (port 4317).</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    public int OtlpExportIntervalMs { get; set; } = 15000;

    /// <summary>Binds Eventide:Telemetry and validates it; throws <see cref="OptionsException"/> with a one-line message.</summary>
    public static TelemetryOptions Bind(IConfiguration configuration)
    {
        var telemetry = new TelemetryOptions();
        configuration.GetSection(SectionName).Bind(telemetry);
        return telemetry.Validate() is { } problem ? throw new OptionsException(problem) : telemetry;
    }

    /// <summary>Returns the first problem, or null when usable.</summary>
    public string? Validate()
    {
        if (OtlpEndpoint.Length == 0)
        {
            return null;
        }
        if (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"Eventide:Telemetry:OtlpEndpoint must be an absolute http(s) URL, got '{OtlpEndpoint}'";
        }
        if (OtlpProtocol is not ("http/protobuf" or "grpc"))
        {
            return $"Eventide:Telemetry:OtlpProtocol must be http/protobuf or grpc, got '{OtlpProtocol}'";
        }
        return OtlpExportIntervalMs < 100 ? "Eventide:Telemetry:OtlpExportIntervalMs must be at least 100" : null;
    }
}
