using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Eventide.Storage;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

/// <summary>Drives hosts through their endpoints so that the roles create and move their instruments.</summary>
public static class RoleTraffic
{
    /// <summary>Creates a site with keys in the fixture's database.</summary>
    public static Task<SiteKeys> CreateSiteAsync(PostgresFixture db, string site) =>
        new SiteStore(db.DataSource).CreateAsync(site, CancellationToken.None);

    /// <summary>Posts <paramref name="count"/> valid events in one request and asserts they were accepted (202).</summary>
    public static async Task PostEventsAsync(RoleHost ingestion, SiteKeys keys, int count)
    {
        var body = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"site_id\":\"").Append(keys.Site).Append("\",\"name\":\"pageview\",\"path\":\"/p/")
                .Append(i % 3).Append("\"}");
        }
        var json = body.Append(']').ToString();
        // 503 means nothing was stored and the client should retry: a cold key
        // lookup can exceed ingestion's short timeout on a loaded machine.
        var (status, detail) = await Eventually.WaitAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.WriteKey);
            using var response = await ingestion.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode != HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "POST /v1/events to answer other than 503");
        Assert.True(status == HttpStatusCode.Accepted, $"POST /v1/events answered {(int)status}: {detail}");
    }

    /// <summary>Asks the query API for the site's summary (any answer: the query metrics record it).</summary>
    public static async Task QueryAsync(RoleHost query, SiteKeys keys)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/sites/{keys.Site}/summary", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.ReadKey);
        using var response = await query.Http.SendAsync(request);
    }

    /// <summary>Every role of an all-in-one host at work: intake, processing until the inbox is empty, a query.</summary>
    public static async Task ExerciseAsync(PostgresFixture db, RoleHost host)
    {
        var keys = await CreateSiteAsync(db, "metrics-" + Guid.NewGuid().ToString("N")[..8]);
        await PostEventsAsync(host, keys, 10);
        await Eventually.WaitAsync(async () =>
        {
            await using var cmd = db.DataSource.CreateCommand("SELECT count(*) FROM eventide.events WHERE site_id = $1");
            cmd.Parameters.AddWithValue(keys.Site);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }, n => n == 10, TimeSpan.FromSeconds(60), "the processor to store the 10 events");
        await QueryAsync(host, keys);
        await host.Http.GetAsync(new Uri("/readyz", UriKind.Relative));
    }
}
