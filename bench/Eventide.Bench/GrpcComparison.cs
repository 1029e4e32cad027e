using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;

namespace Eventide.Bench;

/// <summary>
/// `scripts/bench --grpc-compare`: ingestion at saturation with 100-event batches over HTTP
/// (the usual keep-alive connections), over one gRPC stream and over 8 gRPC streams, in one
/// run against the same ingestion process, so the rows compare transports, not machines.
/// </summary>
public static class GrpcComparison
{
    public static async Task<int> RunAsync(Args a, LoadRunner http, Workload workload, Func<Task> drain, Func<double, TimeSpan> secs)
    {
        using var channel = GrpcChannel.ForAddress(a.Grpc ?? throw new ArgumentException("--grpc-compare needs --grpc <address>"));
        var grpc = new GrpcLoadRunner(channel, workload);
        var ct = CancellationToken.None;
        Progress.Say("==> gRPC warm-up");
        await grpc.RunAsync("gRPC warm-up", 2, 100, secs(5), ct);
        await drain();

        var rows = new List<(string Name, LoadResult Result)>();
        Progress.Say($"==> HTTP, batch 100, {a.Connections} connections");
        rows.Add(($"HTTP, batch 100, {a.Connections} connections", await http.RunAsync("HTTP batch=100", a.Connections, 100, secs(15), null, ct)));
        await drain();
        foreach (var streams in new[] { 1, 8 })
        {
            Progress.Say($"==> gRPC, batch 100, {streams} stream(s)");
            rows.Add(($"gRPC, batch 100, {streams} stream{(streams == 1 ? "" : "s")}", await grpc.RunAsync($"gRPC streams={streams}", streams, 100, secs(15), ct)));
            await drain();
        }

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {a.Machine}. One ingestion process; gRPC streams keep up to {GrpcLoadRunner.Window} batches unacknowledged; acks after the durable commit on both transports.");
        md.AppendLine();
        md.AppendLine("| ingestion at saturation | events/s | batches/s | ack p50 | ack p95 | ack p99 | not accepted | by status |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (name, r) in rows)
        {
            var l = r.LatenciesMs;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {r.EventsPerSecond:N0} | {r.RequestsPerSecond:N0} | {Percentiles.Of(l, 50):F1} ms | {Percentiles.Of(l, 95):F1} ms | {Percentiles.Of(l, 99):F1} ms | {r.Failures:N0} | {Refusals(r)} |");
        }
        md.AppendLine();
        foreach (var (code, message) in rows.SelectMany(x => x.Result.FirstMessage).DistinctBy(kv => kv.Key).OrderBy(kv => kv.Key))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {StatusName(code)}: \"{message}\"");
        }
        var json = rows.Select(x => new
        {
            phase = x.Name,
            events_per_second = x.Result.EventsPerSecond,
            batches_per_second = x.Result.RequestsPerSecond,
            p50_ms = Percentiles.Of(x.Result.LatenciesMs, 50),
            p95_ms = Percentiles.Of(x.Result.LatenciesMs, 95),
            p99_ms = Percentiles.Of(x.Result.LatenciesMs, 99),
            failures = x.Result.Failures,
            statuses = x.Result.ByStatus.ToDictionary(kv => StatusName(kv.Key), kv => kv.Value),
        });
        Directory.CreateDirectory(a.Out);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var mdPath = Path.Combine(a.Out, $"{stamp}-grpc.md");
        await File.WriteAllTextAsync(Path.Combine(a.Out, $"{stamp}-grpc.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
        await File.WriteAllTextAsync(mdPath, md.ToString(), Encoding.UTF8);
        Console.WriteLine(md);
        Progress.Say($"==> wrote {mdPath}");
        return 0;
    }

    /// <summary>
    /// The refused batches by status, e.g. "Unavailable × 64"; empty when all were accepted.
    /// HTTP rows count their answers by HTTP status, gRPC rows by 1000 + the gRPC code.
    /// </summary>
    public static string Refusals(LoadResult r) =>
        string.Join(", ", r.ByStatus.Where(kv => kv.Key != 202).OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{StatusName(kv.Key)} × {kv.Value:N0}")));

    /// <summary>202 → "202", 1014 → "Unavailable" (gRPC codes are counted as 1000 + code), 0 → "no answer".</summary>
    public static string StatusName(int status) => status switch
    {
        0 => "no answer",
        >= 1000 => ((Grpc.Core.StatusCode)(status - 1000)).ToString(),
        _ => status.ToString(CultureInfo.InvariantCulture),
    };
}
