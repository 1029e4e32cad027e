using Eventide.Testing;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Tests.FakeApi;

/// <summary>The fake API server's watch hub, driven by the real KubernetesClient's watch: replay from a version, live events, label selectors, bookmarks, 410 Gone after compaction, server-side timeouts.</summary>
public sealed class FakeApiServerWatchTests : IAsyncLifetime
{
    private const string Ns = FakeCluster.Ns;
    private FakeCluster _c = null!;

    public async Task InitializeAsync() => _c = await FakeCluster.StartAsync();

    public async Task DisposeAsync() => await _c.DisposeAsync();

    private IKubernetes K => _c.Admin;

    private Task<V1ConfigMap> CreateAsync(string name, string app = "x") =>
        K.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } } }, Ns);

    /// <summary>Reads a watch until <paramref name="enough"/> holds or the stream ends; errors go to <paramref name="errors"/>.</summary>
    private async Task<List<(WatchEventType Type, V1ConfigMap Object)>> WatchAsync(
        string resourceVersion, Func<List<(WatchEventType Type, V1ConfigMap Object)>, bool> enough,
        List<Exception>? errors = null, bool bookmarks = false, string? selector = null, Func<Task>? whileOpen = null)
    {
        var events = new List<(WatchEventType, V1ConfigMap)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stream = K.CoreV1.WatchListNamespacedConfigMapAsync(Ns, allowWatchBookmarks: bookmarks, labelSelector: selector, resourceVersion: resourceVersion,
            onError: e => errors?.Add(e), cancellationToken: deadline.Token);
        var opened = false;
        await using var reader = stream.GetAsyncEnumerator(deadline.Token);
        var next = reader.MoveNextAsync().AsTask();
        while (true)
        {
            if (!opened && whileOpen is not null)
            {
                opened = true;
                await whileOpen();
            }
            if (!await next)
            {
                return events;
            }
            events.Add(reader.Current);
            if (enough(events))
            {
                return events;
            }
            next = reader.MoveNextAsync().AsTask();
        }
    }

    [Fact]
    public async Task Watch_from_a_version_replays_the_changes_after_it_then_streams_new_ones()
    {
        var a = await CreateAsync("a");
        await CreateAsync("b");
        await K.CoreV1.DeleteNamespacedConfigMapAsync("a", Ns);

        var events = await WatchAsync(a.Metadata.ResourceVersion, e => e.Count == 3, whileOpen: () => CreateAsync("c"));

        Assert.Equal([(WatchEventType.Added, "b"), (WatchEventType.Deleted, "a"), (WatchEventType.Added, "c")],
            events.Select(e => (e.Type, e.Object.Metadata.Name)));
        var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Watch_with_a_label_selector_sees_only_matching_objects()
    {
        var start = await CreateAsync("first");
        await CreateAsync("other", app: "y");
        await CreateAsync("wanted");

        var events = await WatchAsync(start.Metadata.ResourceVersion, e => e.Count == 1, selector: "app=x");

        Assert.Equal("wanted", Assert.Single(events).Object.Metadata.Name);
    }

    [Fact]
    public async Task Watch_with_bookmarks_gets_bookmarks_at_the_current_version_and_one_without_gets_none()
    {
        _c.Server.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        var start = await CreateAsync("a");
        // A change the watch filters out still moves the version a bookmark reports.
        var elsewhere = await K.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "z" } }, "elsewhere");

        var without = WatchAsync(start.Metadata.ResourceVersion, e => e.Count == 1);
        var withBookmarks = await WatchAsync(start.Metadata.ResourceVersion, e => e.Count == 3, bookmarks: true);
        // Three bookmark intervals later the first watch has still had nothing; now it gets the change.
        await CreateAsync("b");
        var plain = await without;

        Assert.All(withBookmarks, e =>
        {
            Assert.Equal(WatchEventType.Bookmark, e.Type);
            Assert.Equal(elsewhere.Metadata.ResourceVersion, e.Object.Metadata.ResourceVersion);
        });
        var only = Assert.Single(plain);
        Assert.Equal((WatchEventType.Added, "b"), (only.Type, only.Object.Metadata.Name));
    }

    [Fact]
    public async Task Watch_from_a_version_older_than_the_kept_history_gets_410_gone()
    {
        var old = await CreateAsync("a");
        await CreateAsync("b");
        _c.Server.Compact();
        var errors = new List<Exception>();

        var events = await WatchAsync(old.Metadata.ResourceVersion, _ => false, errors);

        Assert.Empty(events);
        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);
    }

    [Fact]
    public async Task Expire_watches_ends_open_watches_and_makes_every_seen_version_gone()
    {
        _c.Server.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        // Longer than the helper's deadline: only the expiry can end this watch in time.
        _c.Server.MaxWatch = TimeSpan.FromMinutes(1);
        var seen = await CreateAsync("a");
        var whileOpen = new List<Exception>();

        var events = await WatchAsync(seen.Metadata.ResourceVersion, _ => false, whileOpen, bookmarks: true, whileOpen: async () =>
        {
            // A bookmark is sent only by a registered watch.
            await Eventually.True(() => _c.Server.BookmarksSent > 0, "the watch is open");
            _c.Server.ExpireWatches();
        });
        var afterwards = new List<Exception>();
        await WatchAsync(seen.Metadata.ResourceVersion, _ => false, afterwards);

        Assert.All(events, e => Assert.Equal(WatchEventType.Bookmark, e.Type));
        Assert.Empty(whileOpen);
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(afterwards)).Status.Code);
    }
}
