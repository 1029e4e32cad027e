using System.Net.Http.Headers;
using System.Text;
using Eventide.Core;
using Eventide.Reliability.Tests.Harness;
using Eventide.Storage;
using Eventide.Testing;

namespace Eventide.Reliability.Tests.Security;

/// <summary>
/// A database of its own with two sites (alpha, beta) and the real binary running
/// every role with Debug logging, so that whatever it logs can be searched for secrets.
/// </summary>
public class SecuredPipeline : ShardedDatabase
{
    public SiteKeys Alpha { get; private set; } = null!;

    public SiteKeys Beta { get; private set; } = null!;

    public EventideProcess Server { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var sites = new SiteStore(DataSource);
        Alpha = await sites.CreateAsync("alpha", CancellationToken.None);
        Beta = await sites.CreateAsync("beta", CancellationToken.None);
        var environment = Pipeline.Environment();
        // The most an operator can turn on, framework request logs included.
        environment["Logging__LogLevel__Default"] = "Debug";
        environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug";
        Server = await EventideProcess.StartAsync(ConnectionString, "all", environment);
    }

    public HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = Server.Address, Timeout = TimeSpan.FromSeconds(15) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return http;
    }

    public async Task<HttpResponseMessage> PostEventsAsync(string? key, string body, string path = "/v1/events")
    {
        using var http = Client(key);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    /// <summary>Every event of a site, in the inbox or stored.</summary>
    public async Task<List<EventRecord>> EventsOfAsync(string site)
    {
        var events = new List<EventRecord>();
        await using (var cmd = DataSource.CreateCommand("SELECT payload FROM eventide.inbox"))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                events.AddRange(InboxCodec.Decode(reader.GetFieldValue<byte[]>(0)).Where(e => e.SiteId == site));
            }
        }
        await using (var cmd = DataSource.CreateCommand("SELECT event_id, name FROM eventide.events WHERE site_id = $1"))
        {
            cmd.Parameters.AddWithValue(site);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                events.Add(new EventRecord(site, reader.GetString(1), default, reader.GetString(0), null, null, null, null, null, default));
            }
        }
        return events;
    }

    public override async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
