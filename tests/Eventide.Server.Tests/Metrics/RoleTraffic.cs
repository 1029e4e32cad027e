using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Eventide.Storage;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

/// <summary>Drives roles through their HTTP endpoints so that they create and move their instruments.</summary>
public static class RoleTraffic
{
    /// <summary>Creates a site with keys in the fixture's database.</summary>
    public static Task<SiteKeys> CreateSiteAsync(PostgresFixture db, string site) =>
        new SiteStore(db.DataSource).CreateAsync(site, CancellationToken.None);

    /// <summary>A JSON array of <paramref name="count"/> valid pageviews for the site, with the given event ids when set.</summary>
    public static string Events(string site, int count, Func<int, string>? eventId = null)
    {
        var body = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"site_id\":\"").Append(site).Append("\",\"name\":\"pageview\",\"path\":\"/p/").Append(i % 3).Append('"');
            if (eventId is not null)
            {
                body.Append(",\"event_id\":\"").Append(eventId(i)).Append('"');
            }
            body.Append('}');
        }
        return body.Append(']').ToString();
    }

    /// <summary>Posts a body to /v1/events, retrying 503 (nothing stored, retry), and returns the final status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient ingestion, string? writeKey, string json)
    {
        // A cold key lookup can exceed ingestion's short timeout on a loaded machine.
        return await Eventually.WaitAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            if (writeKey is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", writeKey);
            }
            using var response = await ingestion.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "POST /v1/events to answer other than 503");
    }

    /// <summary>Posts <paramref name="count"/> valid events in one request and asserts they were accepted (202).</summary>
    public static async Task PostEventsAsync(HttpClient ingestion, SiteKeys keys, int count)
    {
        // Ids of our own, as a well-behaved client sends: a 503 whose commit was in doubt (it may
        // have been stored) is retried with the same ids, and the processor stores them once.
        var batch = Guid.NewGuid().ToString("N");
        var (status, detail) = await PostAsync(ingestion, keys.WriteKey, Events(keys.Site, count, i => $"{batch}-{i}"));
        Assert.True(status == HttpStatusCode.Accepted, $"POST /v1/events answered {(int)status}: {detail}");
    }

    /// <summary>GETs a query path with the site's read key and asserts 200.</summary>
    public static async Task QueryAsync(HttpClient query, SiteKeys keys, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.ReadKey);
        using var response = await query.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Stored events of a site, read from the database.</summary>
    public static async Task<long> StoredAsync(PostgresFixture db, string site)
    {
        await using var cmd = db.DataSource.CreateCommand("SELECT count(*) FROM eventide.events WHERE site_id = $1");
        cmd.Parameters.AddWithValue(site);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
