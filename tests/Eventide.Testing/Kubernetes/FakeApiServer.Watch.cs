using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Testing.Kubernetes;

/// <summary>The watch hub: the change history, watches from a resourceVersion with bookmarks, 410 Gone for versions older than what is kept, server-side watch timeouts.</summary>
public sealed partial class FakeApiServer
{
    private readonly List<Change> _history = [];
    private readonly List<Watcher> _watchers = [];
    private long _oldestWatchable = 100;

    /// <summary>How often watches get a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a watch stays open before the server ends it (clients resume).</summary>
    public TimeSpan MaxWatch { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Watch and list requests served, and bookmarks sent: to tell a resumed watch from a re-list.</summary>
    public int WatchRequests => _watchRequests;

    public int BookmarksSent => _bookmarksSent;

    private int _watchRequests;
    private int _bookmarksSent;

    /// <summary>Forgets the change history, as etcd compaction does: watches from before now get 410.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _oldestWatchable = _version;
        }
    }

    /// <summary>
    /// Ends every open watch and forgets all history up to now, as an API server
    /// restart with a compacted etcd would: clients resuming from any version
    /// they saw get 410 Gone and must list again.
    /// </summary>
    public void ExpireWatches()
    {
        lock (_gate)
        {
            _history.Clear();
            // Consume one version so that every version a client has seen is older than what is kept.
            _oldestWatchable = ++_version;
            foreach (var w in _watchers)
            {
                w.Channel.Writer.TryComplete();
            }
        }
    }

    private void Commit(string type, string key, Stored s)
    {
        var version = ++_version;
        s.Object["metadata"]!["resourceVersion"] = Version(version);
        var change = new Change(version, type, key, s.Object.DeepClone().AsObject());
        _history.Add(change);
        // Keep a bounded history, as etcd does after compaction.
        if (_history.Count > 2000)
        {
            _oldestWatchable = _history[999].Version;
            _history.RemoveRange(0, 1000);
        }
        foreach (var w in _watchers.Where(w => w.Wants(change)))
        {
            w.Channel.Writer.TryWrite(change);
        }
    }

    private async Task WatchAsync(HttpContext http, Route route, string rv, string selector, bool bookmarks, string timeoutSeconds)
    {
        Interlocked.Increment(ref _watchRequests);
        var watcher = new Watcher(route, selector);
        List<Change> backlog;
        var expired = false;
        lock (_gate)
        {
            var from = rv is Unset or "0" ? _version : long.Parse(rv, CultureInfo.InvariantCulture);
            expired = from < _oldestWatchable;
            backlog = expired ? [] : [.. _history.Where(c => c.Version > from && watcher.Wants(c))];
            if (!expired)
            {
                _watchers.Add(watcher);
            }
        }
        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        var ct = http.RequestAborted;
        try
        {
            if (expired)
            {
                await WriteLine(http, "ERROR", new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["status"] = "Failure",
                    ["message"] = $"too old resource version: {rv} ({_oldestWatchable})",
                    ["reason"] = "Expired",
                    ["code"] = 410,
                }, ct);
                return;
            }
            foreach (var c in backlog)
            {
                await WriteLine(http, c.Type, c.Object, ct);
            }
            var limit = MaxWatch;
            if (int.TryParse(timeoutSeconds, CultureInfo.InvariantCulture, out var seconds) && TimeSpan.FromSeconds(seconds) < limit)
            {
                limit = TimeSpan.FromSeconds(seconds);
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(limit);
            while (!deadline.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                tick.CancelAfter(BookmarkInterval);
                try
                {
                    var change = await watcher.Channel.Reader.ReadAsync(tick.Token);
                    await WriteLine(http, change.Type, change.Object, ct);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested && bookmarks)
                {
                    string version;
                    lock (_gate)
                    {
                        version = Version(_version);
                    }
                    await WriteLine(http, "BOOKMARK", new JsonObject
                    {
                        ["apiVersion"] = route.ApiVersion,
                        ["kind"] = "Bookmark",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = version },
                    }, ct);
                    Interlocked.Increment(ref _bookmarksSent);
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                }
                catch (ChannelClosedException)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Client went away or the watch timed out.
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    private static async Task WriteLine(HttpContext http, string type, JsonObject obj, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await http.Response.WriteAsync(line, ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private sealed record Change(long Version, string Type, string Key, JsonObject Object);

    private sealed class Watcher(Route route, string selector)
    {
        public Channel<Change> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<Change>();

        public bool Wants(Change c) =>
            c.Key.StartsWith($"{route.Group}/{route.Plural}/", StringComparison.Ordinal) && Matches(c.Object, route.Namespace, selector);
    }
}
