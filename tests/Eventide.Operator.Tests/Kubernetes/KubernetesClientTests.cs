using System.Text.Json.Nodes;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eventide.Operator.Tests.Kubernetes;

public sealed class KubernetesClientTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private KubernetesClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _client = new KubernetesClient(new ClusterConnection(_server.Url, null, false, null, null, "default"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Create_of_existing_object_is_a_conflict()
    {
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default));
        Assert.True(e.IsConflict);
    }

    [Fact]
    public async Task Replace_with_stale_resource_version_is_a_conflict()
    {
        var created = await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        var first = created.DeepClone().AsObject();
        first["data"]!["k"] = "2";
        await _client.ReplaceAsync(ResourceType.ConfigMap, "ns", "a", first, default);
        created["data"]!["k"] = "3";
        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.ReplaceAsync(ResourceType.ConfigMap, "ns", "a", created, default));
        Assert.True(e.IsConflict);
        Assert.Equal("2", (string?)(await _client.GetAsync(ResourceType.ConfigMap, "ns", "a", default))!["data"]!["k"]);
    }

    [Fact]
    public async Task Get_of_missing_object_returns_null_and_delete_returns_false()
    {
        Assert.Null(await _client.GetAsync(ResourceType.ConfigMap, "ns", "none", default));
        Assert.False(await _client.DeleteAsync(ResourceType.ConfigMap, "ns", "none", default));
    }

    [Fact]
    public async Task Apply_of_field_owned_by_another_manager_conflicts_unless_forced()
    {
        await _client.ApplyAsync(ConfigMap("a", "1"), "first", force: false, default);
        var e = await Assert.ThrowsAsync<KubeApiException>(() => _client.ApplyAsync(ConfigMap("a", "2"), "second", force: false, default));
        Assert.True(e.IsConflict);
        await _client.ApplyAsync(ConfigMap("a", "2"), "second", force: true, default);
        var managers = _server.Managers("v1", "configmaps", "ns", "a");
        Assert.Contains("data.k", managers["second"]);
        Assert.DoesNotContain("first", managers.Where(m => m.Value.Contains("data.k")).Select(m => m.Key));
    }

    [Fact]
    public async Task Apply_removes_fields_the_manager_no_longer_applies()
    {
        var cm = ConfigMap("a", "1");
        cm["data"]!["gone"] = "x";
        await _client.ApplyAsync(cm, "me", force: true, default);
        await _client.ApplyAsync(ConfigMap("a", "1"), "me", force: true, default);
        var live = await _client.GetAsync(ResourceType.ConfigMap, "ns", "a", default);
        Assert.Null(live!["data"]!["gone"]);
        Assert.Equal("1", (string?)live["data"]!["k"]);
    }

    [Fact]
    public async Task Apply_that_changes_nothing_keeps_the_resource_version()
    {
        var first = await _client.ApplyAsync(ConfigMap("a", "1"), "me", force: true, default);
        var second = await _client.ApplyAsync(ConfigMap("a", "1"), "me", force: true, default);
        Assert.Equal((string?)first["metadata"]!["resourceVersion"], (string?)second["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Status_subresource_is_separate_from_the_main_resource()
    {
        var created = await _client.CreateAsync(ResourceType.EventPipeline, "ns", Pipeline("p"), default);
        await _client.MergePatchAsync(ResourceType.EventPipeline, "ns", "p", new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = 7 } }, null, default);
        Assert.Null((await _client.GetAsync(ResourceType.EventPipeline, "ns", "p", default))!["status"]);
        var patched = await _client.MergePatchAsync(ResourceType.EventPipeline, "ns", "p", new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = 7 } }, "status", default);
        Assert.Equal(7, (int?)patched["status"]!["observedGeneration"]);
        Assert.Equal((long?)created["metadata"]!["generation"], (long?)patched["metadata"]!["generation"]);
        var specChanged = await _client.MergePatchAsync(ResourceType.EventPipeline, "ns", "p", JsonNode.Parse("""{"spec":{"image":"v2"}}""")!.AsObject(), null, default);
        Assert.Equal(2, (long?)specChanged["metadata"]!["generation"]);
        Assert.Equal(7, (int?)specChanged["status"]!["observedGeneration"]);
    }

    [Fact]
    public async Task Delete_of_owner_cascades_to_dependents()
    {
        var owner = await _client.CreateAsync(ResourceType.EventPipeline, "ns", Pipeline("p"), default);
        var cm = ConfigMap("child", "1");
        cm["metadata"]!["ownerReferences"] = new JsonArray { new JsonObject { ["apiVersion"] = "eventide.io/v1alpha1", ["kind"] = "EventPipeline", ["name"] = "p", ["uid"] = (string?)owner["metadata"]!["uid"] } };
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", cm, default);
        Assert.True(await _client.DeleteAsync(ResourceType.EventPipeline, "ns", "p", default));
        Assert.Null(await _client.GetAsync(ResourceType.ConfigMap, "ns", "child", default));
    }

    [Fact]
    public async Task List_filters_by_namespace_and_label_selector()
    {
        var labelled = ConfigMap("a", "1");
        labelled["metadata"]!["labels"] = new JsonObject { ["app"] = "x" };
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", labelled, default);
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("b", "1"), default);
        await _client.CreateAsync(ResourceType.ConfigMap, "other", ConfigMap("c", "1"), default);
        Assert.Equal(2, (await _client.ListAsync(ResourceType.ConfigMap, "ns", null, default)).Items.Count);
        Assert.Equal(3, (await _client.ListAsync(ResourceType.ConfigMap, null, null, default)).Items.Count);
        var selected = await _client.ListAsync(ResourceType.ConfigMap, null, "app=x", default);
        Assert.Equal("a", (string?)Assert.Single(selected.Items)["metadata"]!["name"]);
        Assert.Equal("ConfigMap", (string?)selected.Items[0]["kind"]);
    }

    [Fact]
    public async Task Watch_from_list_version_sees_later_changes_and_bookmarks()
    {
        var list = await _client.ListAsync(ResourceType.ConfigMap, "ns", null, default);
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        await foreach (var e in _client.WatchAsync(ResourceType.ConfigMap, "ns", list.ResourceVersion, null, cts.Token))
        {
            seen.Add(e.Type);
            if (e.Type == WatchEvent.Bookmark)
            {
                break;
            }
        }
        Assert.Equal([WatchEvent.Added, WatchEvent.Bookmark], seen);
    }

    [Fact]
    public async Task Watch_from_expired_version_is_gone()
    {
        var list = await _client.ListAsync(ResourceType.ConfigMap, "ns", null, default);
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        _server.Compact();
        var e = await Assert.ThrowsAsync<KubeApiException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync(ResourceType.ConfigMap, "ns", list.ResourceVersion, null, default))
            {
            }
        });
        Assert.True(e.IsGone);
    }

    [Fact]
    public async Task ListWatcher_lists_again_after_410_and_sees_every_object_again()
    {
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        var addedA = 0;
        var sawB = false;
        var watcher = new ListWatcher(_client, ResourceType.ConfigMap, "ns", null, NullLogger.Instance) { ErrorDelay = TimeSpan.FromMilliseconds(50) };
        using var cts = new CancellationTokenSource();
        var run = watcher.RunAsync((type, obj, _) =>
        {
            var name = (string?)obj["metadata"]!["name"];
            if (name == "a" && type == WatchEvent.Added)
            {
                Interlocked.Increment(ref addedA);
            }
            if (name == "b")
            {
                sawB = true;
            }
            return Task.CompletedTask;
        }, cts.Token);
        await Eventually.True(() => Volatile.Read(ref addedA) == 1, "the first list delivered a");
        _server.ExpireWatches();
        await Eventually.True(() => Volatile.Read(ref addedA) == 2, "the re-list after 410 delivered a again");
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("b", "1"), default);
        await Eventually.True(() => Volatile.Read(ref sawB), "the new watch delivered b");
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task ListWatcher_resumes_from_bookmarks_without_listing_again_after_compaction()
    {
        _server.MaxWatch = TimeSpan.FromMilliseconds(300);
        await _client.CreateAsync(ResourceType.ConfigMap, "ns", ConfigMap("a", "1"), default);
        var added = 0;
        var watcher = new ListWatcher(_client, ResourceType.ConfigMap, "ns", null, NullLogger.Instance) { ErrorDelay = TimeSpan.FromMilliseconds(50) };
        using var cts = new CancellationTokenSource();
        var run = watcher.RunAsync((type, _, _) =>
        {
            Interlocked.Increment(ref added);
            return Task.CompletedTask;
        }, cts.Token);
        await Eventually.True(() => Volatile.Read(ref added) == 1, "the list delivered a");
        // Changes elsewhere move the resourceVersion on; only bookmarks tell this watcher about it.
        var other = ConfigMap("b", "1");
        other["metadata"]!["namespace"] = "elsewhere";
        await _client.CreateAsync(ResourceType.ConfigMap, "elsewhere", other, default);
        var bookmarks = _server.BookmarksSent;
        await Eventually.True(() => _server.BookmarksSent > bookmarks, "a bookmark went out after the change");
        _server.Compact();
        var watches = _server.WatchRequests;
        await Eventually.True(() => _server.WatchRequests >= watches + 2, "the watch was resumed twice after compaction");
        Assert.Equal(1, _server.ListRequests);
        Assert.Equal(1, Volatile.Read(ref added));
        await cts.CancelAsync();
        await run;
    }

    private static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" },
        ["data"] = new JsonObject { ["k"] = value },
    };

    private static JsonObject Pipeline(string name) => new()
    {
        ["apiVersion"] = "eventide.io/v1alpha1",
        ["kind"] = "EventPipeline",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" },
        ["spec"] = new JsonObject { ["image"] = "v1" },
    };
}
