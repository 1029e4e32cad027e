using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Eventide.Storage;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Ingestion.Tests;

/// <summary>The real binary killed with SIGKILL under load: every acknowledged id must be in the inbox.</summary>
public class CrashTests(MigratedPostgresFixture db, ITestOutputHelper output) : IClassFixture<MigratedPostgresFixture>
{
    [Fact]
    public async Task Kill_9_during_load_loses_no_acknowledged_event_and_the_restarted_server_serves_again()
    {
        var keys = await new SiteStore(db.DataSource).CreateAsync("crash", CancellationToken.None);
        var environment = new Dictionary<string, string> { ["Eventide__Ingestion__InboxRotationSeconds"] = "0" };
        var server = await EventideProcess.StartAsync(db.ConnectionString, "ingestion", environment);
        var acknowledged = new ConcurrentBag<string>();
        var answered = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keys.WriteKey);
        var body = "[" + string.Join(',', Enumerable.Repeat("{\"site_id\":\"crash\",\"name\":\"load\",\"path\":\"/k\"}", 20)) + "]";
        var killed = false;

        async Task ClientAsync()
        {
            while (!Volatile.Read(ref killed))
            {
                try
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(new Uri(server.Address, "/v1/events"), content);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        foreach (var id in Answers.Ids(await Answers.JsonAsync(response)))
                        {
                            acknowledged.Add(id);
                        }
                    }
                    Interlocked.Increment(ref answered);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The server died mid-request: that request was never acknowledged.
                }
            }
        }

        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(ClientAsync)).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), n => n >= 4000, TimeSpan.FromSeconds(60), "4000 acknowledged events");
        server.Kill();
        Volatile.Write(ref killed, true);
        await Task.WhenAll(clients);
        await server.DisposeAsync();

        var stored = await InboxReader.ReadAllAsync(db.DataSource);
        var storedIds = stored.Select(x => x.Event.EventId).ToList();
        output.WriteLine($"{acknowledged.Count} events acknowledged in {answered} answers before kill -9; {storedIds.Count} in the inbox");
        var missing = acknowledged.Except(storedIds).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged ids are missing from the inbox");
        Assert.Equal(storedIds.Count, storedIds.Distinct().Count());

        await using var restarted = await EventideProcess.StartAsync(db.ConnectionString, "ingestion", environment);
        using var content = new StringContent("{\"site_id\":\"crash\",\"name\":\"after\"}", Encoding.UTF8, "application/json");
        using var again = await http.PostAsync(new Uri(restarted.Address, "/v1/events"), content);
        Assert.True(again.StatusCode == HttpStatusCode.Accepted, $"{(int)again.StatusCode}: {await again.Content.ReadAsStringAsync()}");
        var id = Answers.Ids(await Answers.JsonAsync(again)).Single();
        Assert.Contains(id, await InboxReader.EventIdsAsync(db.DataSource));
    }
}
