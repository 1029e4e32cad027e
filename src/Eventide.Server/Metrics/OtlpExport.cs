using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Eventide.Server.Metrics;

/// <summary>Builds the OpenTelemetry MeterProvider that pushes the "Eventide" meter to an OTLP collector.</summary>
public static class OtlpExport
{
    public static MeterProvider Build(TelemetryOptions telemetry, Role roles)
    {
        var uri = new Uri(telemetry.OtlpEndpoint);
        var http = telemetry.OtlpProtocol == "http/protobuf";
        // Set in code, the HTTP exporter uses the endpoint as given, so the signal path is ours to add.
        if (http && uri.AbsolutePath is "" or "/")
        {
            uri = new Uri(uri, "/v1/metrics");
        }
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("eventide", serviceVersion: typeof(OtlpExport).Assembly.GetName().Version?.ToString())
                .AddAttributes([new("eventide.roles", roles.ToString().ToLowerInvariant())]))
            .AddMeter(PrometheusExporter.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = uri;
                exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = telemetry.OtlpExportIntervalMs;
            })
            .Build();
    }
}
