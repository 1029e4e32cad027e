using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// Sends single marked events on a site of their own while load runs and
/// times acknowledgement → visible in the events table, and → visible in the
/// per-minute aggregate (by the probe's unique event name).
/// </summary>
public sealed class FreshnessProbe(Uri ingest, string site, string writeKey, Database db, HttpClient http)
{
    public List<double> TableMs { get; } = [];

    public List<double> AggregateMs { get; } = [];

    public int Lost { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var k = 0;
        while (!ct.IsCancellationRequested)
        {
            var name = $"probe_{Guid.NewGuid():N}";
            var id = Guid.CreateVersion7().ToString();
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest, "/v1/events"))
            {
                Content = new StringContent($$"""{"site_id":"{{site}}","name":"{{name}}","event_id":"{{id}}","path":"/probe"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writeKey);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if ((int)response.StatusCode != 202)
            {
                continue;
            }
            var acked = Stopwatch.StartNew();
            var table = await WaitAsync("SELECT EXISTS (SELECT 1 FROM eventide.events WHERE site_id = $1 AND event_id = $2)", id, acked);
            var aggregate = await WaitAsync("SELECT EXISTS (SELECT 1 FROM eventide.events_1m WHERE site_id = $1 AND name = $2)", name, acked);
            if (table is null || aggregate is null)
            {
                Lost++;
            }
            else
            {
                TableMs.Add(table.Value);
                AggregateMs.Add(aggregate.Value);
            }
            k++;
            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<double?> WaitAsync(string sql, string value, Stopwatch acked)
    {
        // Not the load's token: a probe in flight is followed to its end (10 s at most).
        while (acked.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await db.ExistsAsync(sql, site, value, CancellationToken.None))
            {
                return acked.Elapsed.TotalMilliseconds;
            }
            await Task.Delay(5);
        }
        return null;
    }
}
