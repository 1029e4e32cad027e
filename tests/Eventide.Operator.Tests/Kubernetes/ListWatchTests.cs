using System.Collections.Concurrent;
using Eventide.Operator.Kubernetes;
using Eventide.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Operator.Tests.Kubernetes;

/// <summary>The operator's list-watch over the real KubernetesClient against the fake API server, with the server's faults: expired versions and watch timeouts.</summary>
public sealed class ListWatchTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private readonly ConcurrentQueue<(int Lists, WatchEventType Type, string Name, string Version)> _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private FakeCluster _c = null!;
    private Task _run = Task.CompletedTask;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
        await _c.DisposeAsync();
    }

    private void Start()
    {
        var k = _c.Admin;
        var listWatch = new ListWatch<V1ConfigMap>(
            "configmaps",
            async ct =>
            {
                var list = await k.CoreV1.ListNamespacedConfigMapAsync(Ns, cancellationToken: ct);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (rv, onError, ct) => k.CoreV1.WatchListNamespacedConfigMapAsync(Ns, allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct),
            NullLogger.Instance)
        { ErrorDelay = TimeSpan.FromMilliseconds(50) };
        _run = listWatch.RunAsync((type, map, _) =>
        {
            // Which list this delivery came after: the server counts lists as it serves them.
            _seen.Enqueue((_c.Server.ListRequests, type, map.Metadata.Name, map.Metadata.ResourceVersion));
            return Task.CompletedTask;
        }, _stop.Token);
    }

    private Task CreateAsync(string name) =>
        _c.Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name } }, Ns);

    private bool Saw(WatchEventType type, string name) => _seen.Any(s => s.Type == type && s.Name == name);

    [Fact]
    public async Task Run_lists_then_delivers_watched_changes()
    {
        await CreateAsync("a");
        Start();
        await Eventually.True(() => Saw(WatchEventType.Added, "a"), "the listed object is delivered");
        await CreateAsync("b");
        await _c.Admin.CoreV1.DeleteNamespacedConfigMapAsync("a", Ns);

        await Eventually.True(() => Saw(WatchEventType.Deleted, "a"), "the watched deletion is delivered");

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Added, "b"), (WatchEventType.Deleted, "a")], _seen.Select(s => (s.Type, s.Name)));
        Assert.Equal(1, _c.Server.ListRequests);
    }

    [Fact]
    public async Task Run_lists_again_after_a_410_and_delivers_every_current_object_exactly_once_in_its_current_state()
    {
        await CreateAsync("a");
        await CreateAsync("b");
        Start();
        await Eventually.True(() => Saw(WatchEventType.Added, "b"), "the first list is delivered");
        await CreateAsync("c");
        await _c.Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "a", Ns);
        await Eventually.True(() => Saw(WatchEventType.Modified, "a"), "the watched change is delivered");

        // The API server restarts with a compacted history: the resumed watch gets 410 Gone.
        _c.Server.ExpireWatches();
        await Eventually.True(() => _c.Server.ListRequests == 2, "the list-watch lists again");
        // A change after the re-list marks the end of what the re-list delivered.
        await CreateAsync("marker");
        await Eventually.True(() => Saw(WatchEventType.Added, "marker"), "the watch after the re-list runs");

        var relisted = _seen.Where(s => s.Lists == 2 && s.Name != "marker").ToList();
        Assert.Equal(["a", "b", "c"], relisted.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(relisted, s => Assert.Equal(WatchEventType.Added, s.Type));
        foreach (var s in relisted)
        {
            Assert.Equal((string?)_c.Server.Get("v1", "configmaps", Ns, s.Name)!["metadata"]!["resourceVersion"], s.Version);
        }
    }

    [Fact]
    public async Task Run_resumes_from_the_last_bookmark_when_the_server_ends_a_watch_without_listing_again()
    {
        _c.Server.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        _c.Server.MaxWatch = TimeSpan.FromMilliseconds(500);
        await CreateAsync("a");
        Start();
        await Eventually.True(() => Saw(WatchEventType.Added, "a"), "the list is delivered");
        // Changes the watch filters out move the version on; only a bookmark tells the client.
        for (var i = 0; i < 3; i++)
        {
            await _c.Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"x{i}" } }, "elsewhere");
        }
        var bookmarks = _c.Server.BookmarksSent;
        await Eventually.True(() => _c.Server.BookmarksSent >= bookmarks + 2, "bookmarks at the new version are sent");
        // History up to now is gone: resuming from "a"'s version would be 410, from the bookmark's is fine.
        _c.Server.Compact();
        var watches = _c.Server.WatchRequests;

        await Eventually.True(() => _c.Server.WatchRequests >= watches + 2, "the watch timed out and resumed twice");

        Assert.Equal(1, _c.Server.ListRequests);
        Assert.Single(_seen);
    }
}
