using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Eventide.Ingestion.Tests.Segment;

/// <summary>Posts to the Segment endpoints as an SDK would, and reads back Segment dead letters.</summary>
public static class SegmentClient
{
    public static string Basic(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));

    /// <summary>Posts as the Segment SDKs do, a 503 retried as <see cref="UnavailableRetry"/> says; tests of the 503 paths pass retryUnavailable: false.</summary>
    public static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string body, string? basicKey,
        string contentType = "application/json", bool gzip = false, string? contentEncoding = null, int? retryCount = null,
        bool retryUnavailable = true) =>
        UnavailableRetry.SendAsync(() => PostOnceAsync(http, path, body, basicKey, contentType, gzip, contentEncoding, retryCount), retryUnavailable);

    private static async Task<HttpResponseMessage> PostOnceAsync(HttpClient http, string path, string body, string? basicKey,
        string contentType, bool gzip, string? contentEncoding, int? retryCount)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(bytes);
            }
            bytes = compressed.ToArray();
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(contentEncoding);
        }
        if (basicKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(basicKey));
        }
        if (retryCount is { } n)
        {
            request.Headers.Add("X-Retry-Count", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        request.Headers.ExpectContinue = bytes.Length > 64 * 1024;
        return await http.SendAsync(request);
    }

    public static async Task<List<(string EventId, string Payload, string Error)>> DeadLettersAsync(NpgsqlDataSource dataSource, string site)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT event_id, payload::text, error FROM eventide.dead_letters WHERE source = 'segment' AND site_id = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(site);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return rows;
    }
}
