using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Eventide.Operator.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Tests.Fakes;

/// <summary>
/// An in-process Kubernetes API server for the subset the operator uses, with
/// the semantics that matter: one resourceVersion counter, 409 on creating an
/// existing object and on a stale resourceVersion, watches from a version with
/// bookmarks and a 410 ERROR event for versions older than it keeps,
/// server-side apply that tracks field managers (per top-level field and the
/// second level under it) with conflicts unless forced, a status subresource
/// separate from the rest, generation bumps on spec changes, cascading delete
/// by owner references. Standing in for the Deployment controller, it marks
/// Deployments available when <see cref="DeploymentsBecomeAvailable"/> is on.
/// It also serves a pipeline's <c>GET /v1/admin/lag</c>.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private const string Unset = "";
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Stored> _objects = [];
    private readonly List<Change> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly WebApplication _app;
    private long _version = 100;
    private long _oldestWatchable = 100;
    private int _uid;

    private FakeApiServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Stand-in for the Deployment controller: every Deployment reports all replicas ready.</summary>
    public bool DeploymentsBecomeAvailable { get; set; } = true;

    /// <summary>How often watches get a BOOKMARK.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a watch stays open before the server ends it (clients resume).</summary>
    public TimeSpan MaxWatch { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>What <c>GET /v1/admin/lag</c> answers.</summary>
    public (long TotalEvents, double MaxAgeSeconds) Lag { get; set; }

    /// <summary>The bearer token <c>GET /v1/admin/lag</c> requires.</summary>
    public string AdminToken { get; set; } = "admin-token";

    public int LagRequests => _lagRequests;

    /// <summary>Watch and list requests served, and bookmarks sent: to tell a resumed watch from a re-list.</summary>
    public int WatchRequests => _watchRequests;

    public int ListRequests => _listRequests;

    public int BookmarksSent => _bookmarksSent;

    private int _watchRequests;
    private int _listRequests;
    private int _bookmarksSent;

    private readonly Dictionary<(string Method, string Plural), (int Count, int Code)> _faults = [];
    private readonly Dictionary<string, HashSet<(string Group, string Resource, string Verb)>> _access = [];

    /// <summary>
    /// Every (API group, resource[/subresource], verb) requested with this bearer
    /// token, named as the API server's authorizer names them: what RBAC must grant.
    /// </summary>
    public IReadOnlySet<(string Group, string Resource, string Verb)> AccessOf(string token)
    {
        lock (_gate)
        {
            return _access.TryGetValue($"Bearer {token}", out var set) ? set.ToHashSet() : new HashSet<(string, string, string)>();
        }
    }

    // The API server's request-info rules: GET is get, list or watch; an apply
    // (PATCH with application/apply-patch+yaml) that creates the object is also
    // authorized as create (Kubernetes "API concepts", patch and apply).
    private void RecordAccess(HttpContext http, Route route)
    {
        var q = http.Request.Query;
        var resource = route.Subresource is null ? route.Plural : $"{route.Plural}/{route.Subresource}";
        var verbs = new List<string>();
        switch (http.Request.Method)
        {
            case "GET" when q["watch"] == "true" || q["watch"] == "1":
                verbs.Add("watch");
                break;
            case "GET":
                verbs.Add(route.Name is null ? "list" : "get");
                break;
            case "POST":
                verbs.Add("create");
                break;
            case "PUT":
                verbs.Add("update");
                break;
            case "PATCH":
                verbs.Add("patch");
                if (http.Request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true && !_objects.ContainsKey(route.Key))
                {
                    verbs.Add("create");
                }
                break;
            case "DELETE":
                verbs.Add(route.Name is null ? "deletecollection" : "delete");
                break;
        }
        var who = http.Request.Headers.Authorization.ToString();
        if (!_access.TryGetValue(who, out var set))
        {
            _access[who] = set = [];
        }
        foreach (var verb in verbs)
        {
            set.Add((route.Group, resource, verb));
        }
    }

    /// <summary>The next <paramref name="count"/> requests of this method on this resource fail with <paramref name="code"/>.</summary>
    public void FailNext(string method, string plural, int count, int code)
    {
        lock (_gate)
        {
            _faults[(method, plural)] = (count, code);
        }
    }

    private int _lagRequests;

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.Map("/v1/admin/lag", server.HandleLag);
        app.Map("/{**path}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var w in _watchers)
            {
                w.Channel.Writer.TryComplete();
            }
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---- direct access for tests: the live state, not a cache ----

    public JsonObject? Get(string apiVersion, string plural, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(GroupOf(apiVersion), plural, ns, name), out var s) ? s.Object.DeepClone().AsObject() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(string apiVersion, string plural, string? ns)
    {
        lock (_gate)
        {
            var prefix = $"{GroupOf(apiVersion)}/{plural}/";
            return [.. _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && (ns is null || (string?)kv.Value.Object["metadata"]?["namespace"] == ns))
                .Select(kv => kv.Value.Object.DeepClone().AsObject())];
        }
    }

    /// <summary>The field managers of an object and the fields each owns, as "top" or "top.sub".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Managers(string apiVersion, string plural, string? ns, string name)
    {
        lock (_gate)
        {
            var s = _objects[Key(GroupOf(apiVersion), plural, ns, name)];
            return s.Managed.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value.Select(p => p.ToString()).Order(StringComparer.Ordinal)]);
        }
    }

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

    /// <summary>Lets every Deployment report its replicas ready (the Deployment controller catching up).</summary>
    public void MarkDeploymentsAvailable()
    {
        lock (_gate)
        {
            DeploymentsBecomeAvailable = true;
            foreach (var (key, s) in _objects.Where(kv => kv.Key.StartsWith("apps/deployments/", StringComparison.Ordinal)).ToList())
            {
                SetDeploymentStatus(s.Object);
                Commit("MODIFIED", key, s);
            }
        }
    }

    // ---- HTTP ----

    private async Task HandleLag(HttpContext http)
    {
        Interlocked.Increment(ref _lagRequests);
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {AdminToken}")
        {
            http.Response.StatusCode = 401;
            return;
        }
        var (total, age) = Lag;
        var body = new JsonObject
        {
            ["shards"] = new JsonArray { new JsonObject { ["shard"] = 0, ["events"] = total, ["oldest_age_seconds"] = age } },
            ["total_events"] = total,
            ["max_age_seconds"] = age,
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private async Task HandleAsync(HttpContext http)
    {
        var route = Route.Parse(http.Request.Path.Value ?? "");
        if (route is null)
        {
            await WriteStatus(http, 404, "NotFound", "no such path");
            return;
        }
        lock (_gate)
        {
            RecordAccess(http, route);
        }
        var q = http.Request.Query;
        var method = http.Request.Method;
        JsonObject? body = null;
        if (method is "POST" or "PUT" or "PATCH" or "DELETE" && (http.Request.ContentLength ?? 1) > 0)
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(http.RequestAborted);
            body = text.Length > 0 ? JsonNode.Parse(text)?.AsObject() : null;
        }

        if (method == "GET" && route.Name is null && q["watch"] is var watch && (watch == "true" || watch == "1"))
        {
            await WatchAsync(http, route, q["resourceVersion"].ToString(), q["labelSelector"].ToString(), q["allowWatchBookmarks"] == "true", q["timeoutSeconds"].ToString());
            return;
        }

        Result result;
        lock (_gate)
        {
            try
            {
                result = _faults.TryGetValue((method, route.Plural), out var fault) && fault.Count > 0
                    ? Fault(method, route, fault)
                    : Dispatch(method, route, q, http.Request.ContentType, body);
            }
            catch (Exception e)
            {
                // Surface fake-server bugs in the test output rather than as a bare 500.
                result = Result.Error(500, "InternalError", e.ToString());
            }
        }
        http.Response.StatusCode = result.Code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(result.Body.ToJsonString());
    }

    private Result Fault(string method, Route route, (int Count, int Code) fault)
    {
        _faults[(method, route.Plural)] = (fault.Count - 1, fault.Code);
        return Result.Error(fault.Code, fault.Code == 409 ? "Conflict" : "InternalError", $"injected failure of {method} {route.Plural}");
    }

    private Result Dispatch(string method, Route route, IQueryCollection q, string? contentType, JsonObject? body)
    {
        {
            return (method, route.Name, route.Subresource) switch
            {
                ("GET", null, _) => ListLocked(route, q["labelSelector"].ToString()),
                ("GET", not null, _) => GetLocked(route),
                ("POST", null, _) => CreateLocked(route, body!, "unknown"),
                ("PUT", not null, "status") => UpdateStatusLocked(route, body!),
                ("PUT", not null, null) => UpdateLocked(route, body!),
                ("PATCH", not null, var sub) => PatchLocked(route, sub, contentType ?? "", body!, q["fieldManager"].ToString(), q["force"] == "true"),
                ("DELETE", not null, null) => DeleteLocked(route),
                _ => Result.Error(405, "MethodNotAllowed", $"{method} not supported here"),
            };
        }
    }

    private Result ListLocked(Route route, string selector)
    {
        Interlocked.Increment(ref _listRequests);
        var prefix = $"{route.Group}/{route.Plural}/";
        var items = new JsonArray();
        foreach (var (key, s) in _objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Matches(s.Object, route.Namespace, selector))
            {
                var item = s.Object.DeepClone().AsObject();
                // Real list items leave apiVersion and kind out.
                item.Remove("apiVersion");
                item.Remove("kind");
                items.Add(item);
            }
        }
        return new Result(200, new JsonObject
        {
            ["apiVersion"] = route.ApiVersion,
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Version(_version) },
            ["items"] = items,
        });
    }

    private Result GetLocked(Route route) =>
        _objects.TryGetValue(route.Key, out var s)
            ? new Result(200, s.Object.DeepClone().AsObject())
            : Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");

    private Result CreateLocked(Route route, JsonObject obj, string manager)
    {
        var name = (string?)obj["metadata"]?["name"] ?? "";
        var key = Key(route.Group, route.Plural, route.Namespace, name);
        if (_objects.ContainsKey(key))
        {
            return Result.Error(409, "AlreadyExists", $"{route.Plural} \"{name}\" already exists");
        }
        var meta = obj["metadata"]!.AsObject();
        if (route.Namespace is not null)
        {
            meta["namespace"] = route.Namespace;
        }
        meta["uid"] = $"00000000-0000-4000-8000-{++_uid:D12}";
        meta["generation"] = 1;
        meta["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        // The status subresource: a create does not set status.
        obj.Remove("status");
        var stored = new Stored(obj);
        stored.Claim(manager, FieldPath.Of(obj));
        if (route.Plural == "deployments")
        {
            SetDeploymentStatus(obj);
        }
        _objects[key] = stored;
        Commit("ADDED", key, stored);
        var result = new Result(201, obj.DeepClone().AsObject());
        // The garbage collector: an object whose owner is gone goes too (in a cluster, shortly after).
        var owners = obj["metadata"]?["ownerReferences"]?.AsArray().Select(r => (string?)r?["uid"]).ToList() ?? [];
        if (owners.Count > 0 && !owners.Any(uid => _objects.Values.Any(o => (string?)o.Object["metadata"]?["uid"] == uid)))
        {
            DeleteCascading(key, stored);
        }
        return result;
    }

    private Result UpdateLocked(Route route, JsonObject obj)
    {
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        if (Stale(s, obj) is { } conflict)
        {
            return conflict;
        }
        var next = obj.DeepClone().AsObject();
        KeepServerFields(s.Object, next);
        next["status"] = s.Object["status"]?.DeepClone();
        s.Claim("unknown", FieldPath.Of(next));
        return Write(route, s, next);
    }

    private Result UpdateStatusLocked(Route route, JsonObject obj)
    {
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        if (Stale(s, obj) is { } conflict)
        {
            return conflict;
        }
        var next = s.Object.DeepClone().AsObject();
        next["status"] = obj["status"]?.DeepClone();
        return Write(route, s, next);
    }

    private Result PatchLocked(Route route, string? subresource, string contentType, JsonObject patch, string manager, bool force)
    {
        if (contentType.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal))
        {
            if (manager.Length == 0)
            {
                return Result.Error(400, "BadRequest", "fieldManager is required for apply patch");
            }
            if (!_objects.TryGetValue(route.Key, out var existing))
            {
                return CreateLocked(route, patch.DeepClone().AsObject(), manager);
            }
            return Apply(route, existing, patch, manager, force);
        }
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
        {
            return Result.Error(415, "UnsupportedMediaType", contentType);
        }
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        if (patch["metadata"]?["resourceVersion"] is not null && Stale(s, patch) is { } conflict)
        {
            return conflict;
        }
        var next = s.Object.DeepClone().AsObject();
        if (subresource == "status")
        {
            next["status"] = MergePatch(next["status"], patch["status"]);
        }
        else
        {
            var status = next["status"]?.DeepClone();
            next = MergePatch(next, patch)!.AsObject();
            next["status"] = status;
            KeepServerFields(s.Object, next);
            s.Claim(manager.Length > 0 ? manager : "unknown", FieldPath.Of(patch));
        }
        return Write(route, s, next);
    }

    private Result Apply(Route route, Stored s, JsonObject applied, string manager, bool force)
    {
        var paths = FieldPath.Of(applied);
        var conflicts = new List<string>();
        foreach (var (other, owned) in s.Managed.Where(m => m.Key != manager))
        {
            foreach (var path in paths.Where(owned.Contains))
            {
                if (!JsonNode.DeepEquals(path.Read(s.Object), path.Read(applied)))
                {
                    conflicts.Add($"conflict with \"{other}\": .{path}");
                }
            }
        }
        if (conflicts.Count > 0 && !force)
        {
            return Result.Error(409, "Conflict", $"Apply failed with {conflicts.Count} conflict(s): {string.Join("; ", conflicts)}");
        }
        var next = s.Object.DeepClone().AsObject();
        // Fields this manager applied before and dropped now are removed, unless someone else also owns them.
        if (s.Managed.TryGetValue(manager, out var before))
        {
            foreach (var dropped in before.Where(p => !paths.Contains(p)))
            {
                if (!s.Managed.Any(m => m.Key != manager && m.Value.Contains(dropped)))
                {
                    dropped.Remove(next);
                }
            }
        }
        foreach (var path in paths)
        {
            path.Write(next, path.Read(applied)?.DeepClone());
        }
        s.Claim(manager, paths);
        s.Managed[manager] = [.. paths];
        return Write(route, s, next);
    }

    private Result DeleteLocked(Route route)
    {
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        DeleteCascading(route.Key, s);
        return new Result(200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" });
    }

    // The garbage collector, inline: dependents go with their owner.
    private void DeleteCascading(string key, Stored s)
    {
        _objects.Remove(key);
        Commit("DELETED", key, s);
        var uid = (string?)s.Object["metadata"]?["uid"];
        foreach (var (depKey, dep) in _objects.Where(kv => kv.Value.Object["metadata"]?["ownerReferences"]?.AsArray().Any(r => (string?)r?["uid"] == uid) ?? false).ToList())
        {
            DeleteCascading(depKey, dep);
        }
    }

    private Result Write(Route route, Stored s, JsonObject next)
    {
        if (!JsonNode.DeepEquals(WithoutMetaAndStatus(s.Object), WithoutMetaAndStatus(next)))
        {
            next["metadata"]!["generation"] = (Json.Long(s.Object["metadata"]?["generation"]) ?? 0) + 1;
        }
        if (route.Plural == "deployments")
        {
            SetDeploymentStatus(next);
        }
        if (JsonNode.DeepEquals(s.Object, WithVersion(next, (string?)s.Object["metadata"]?["resourceVersion"])))
        {
            // A no-op write leaves resourceVersion alone and sends no event.
            return new Result(200, s.Object.DeepClone().AsObject());
        }
        s.Object = next;
        Commit("MODIFIED", route.Key, s);
        return new Result(200, next.DeepClone().AsObject());
    }

    private static JsonObject WithVersion(JsonObject obj, string? version)
    {
        obj["metadata"]!["resourceVersion"] = version;
        return obj;
    }

    private void SetDeploymentStatus(JsonObject deployment)
    {
        var replicas = Json.Long(deployment["spec"]?["replicas"]) ?? 1;
        var ready = DeploymentsBecomeAvailable ? replicas : 0;
        deployment["status"] = new JsonObject
        {
            ["observedGeneration"] = Json.Long(deployment["metadata"]?["generation"]) ?? 1,
            ["replicas"] = replicas,
            ["updatedReplicas"] = replicas,
            ["readyReplicas"] = ready,
            ["availableReplicas"] = ready,
            ["conditions"] = new JsonArray
            {
                new JsonObject { ["type"] = "Available", ["status"] = ready >= replicas ? "True" : "False" },
            },
        };
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

    private static Result? Stale(Stored s, JsonObject incoming)
    {
        var want = (string?)incoming["metadata"]?["resourceVersion"];
        var have = (string?)s.Object["metadata"]?["resourceVersion"];
        if (want is null)
        {
            return Result.Error(422, "Invalid", "metadata.resourceVersion must be specified for an update");
        }
        return want == have ? null : Result.Error(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again");
    }

    private static void KeepServerFields(JsonObject old, JsonObject next)
    {
        if (next["metadata"] is not JsonObject meta)
        {
            next["metadata"] = meta = [];
        }
        foreach (var field in new[] { "uid", "generation", "creationTimestamp", "namespace", "name" })
        {
            meta[field] = old["metadata"]?[field]?.DeepClone();
        }
    }

    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }
        var result = target is JsonObject t ? t.DeepClone().AsObject() : [];
        foreach (var (k, v) in p)
        {
            if (v is null)
            {
                result.Remove(k);
            }
            else
            {
                result[k] = MergePatch(result[k], v);
            }
        }
        return result;
    }

    private static JsonObject WithoutMetaAndStatus(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static bool Matches(JsonObject obj, string? ns, string selector)
    {
        if (ns is not null && (string?)obj["metadata"]?["namespace"] != ns)
        {
            return false;
        }
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = term.Split('=', 2);
            if ((string?)obj["metadata"]?["labels"]?[parts[0]] != (parts.Length > 1 ? parts[1] : null))
            {
                return false;
            }
        }
        return true;
    }

    private static string Version(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string GroupOf(string apiVersion) => apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";

    private static string Key(string group, string plural, string? ns, string name) => $"{group}/{plural}/{ns}/{name}";

    private static Task WriteStatus(HttpContext http, int code, string reason, string message)
    {
        var r = Result.Error(code, reason, message);
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(r.Body.ToJsonString());
    }

    private sealed record Result(int Code, JsonObject Body)
    {
        public static Result Error(int code, string reason, string message) => new(code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });
    }

    private sealed record Change(long Version, string Type, string Key, JsonObject Object);

    private sealed class Stored(JsonObject obj)
    {
        public JsonObject Object { get; set; } = obj;

        public Dictionary<string, HashSet<FieldPath>> Managed { get; } = [];

        /// <summary>The manager takes these fields; nobody else owns them any more.</summary>
        public void Claim(string manager, IReadOnlyCollection<FieldPath> paths)
        {
            foreach (var (_, owned) in Managed)
            {
                owned.ExceptWith(paths);
            }
            if (!Managed.TryGetValue(manager, out var mine))
            {
                Managed[manager] = mine = [];
            }
            mine.UnionWith(paths);
            foreach (var empty in Managed.Where(m => m.Value.Count == 0).Select(m => m.Key).ToList())
            {
                Managed.Remove(empty);
            }
        }
    }

    /// <summary>A managed field: a top-level field, or one field under a top-level object.</summary>
    private sealed record FieldPath(string Top, string? Sub)
    {
        private static readonly string[] Skipped = ["apiVersion", "kind", "status"];
        private static readonly string[] MetadataFields = ["labels", "annotations", "ownerReferences"];

        public static HashSet<FieldPath> Of(JsonObject obj)
        {
            var paths = new HashSet<FieldPath>();
            foreach (var (k, v) in obj)
            {
                if (Skipped.Contains(k))
                {
                    continue;
                }
                if (k == "metadata")
                {
                    foreach (var m in MetadataFields.Where(m => v?[m] is not null))
                    {
                        paths.Add(new FieldPath(k, m));
                    }
                }
                else if (v is JsonObject o && o.Count > 0)
                {
                    foreach (var (sub, _) in o)
                    {
                        paths.Add(new FieldPath(k, sub));
                    }
                }
                else
                {
                    paths.Add(new FieldPath(k, null));
                }
            }
            return paths;
        }

        public JsonNode? Read(JsonObject obj) => Sub is null ? obj[Top] : obj[Top]?[Sub];

        public void Write(JsonObject obj, JsonNode? value)
        {
            if (Sub is null)
            {
                obj[Top] = value;
                return;
            }
            if (obj[Top] is not JsonObject parent)
            {
                obj[Top] = parent = [];
            }
            parent[Sub] = value;
        }

        public void Remove(JsonObject obj)
        {
            if (Sub is null)
            {
                obj.Remove(Top);
            }
            else
            {
                (obj[Top] as JsonObject)?.Remove(Sub);
            }
        }

        public override string ToString() => Sub is null ? Top : $"{Top}.{Sub}";
    }

    private sealed class Watcher(Route route, string selector)
    {
        public Channel<Change> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<Change>();

        public bool Wants(Change c) =>
            c.Key.StartsWith($"{route.Group}/{route.Plural}/", StringComparison.Ordinal) && Matches(c.Object, route.Namespace, selector);
    }

    private sealed record Route(string Group, string Version, string? Namespace, string Plural, string? Name, string? Subresource)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

        public string Key => FakeApiServer.Key(Group, Plural, Namespace, Name ?? "");

        public static Route? Parse(string path)
        {
            var seg = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
            int i;
            string group, version;
            if (seg.Length >= 3 && seg[0] == "api")
            {
                (group, version, i) = ("", seg[1], 2);
            }
            else if (seg.Length >= 4 && seg[0] == "apis")
            {
                (group, version, i) = (seg[1], seg[2], 3);
            }
            else
            {
                return null;
            }
            string? ns = null;
            if (seg.Length > i + 2 && seg[i] == "namespaces")
            {
                ns = seg[i + 1];
                i += 2;
            }
            var rest = seg[i..];
            return rest.Length switch
            {
                1 => new Route(group, version, ns, rest[0], null, null),
                2 => new Route(group, version, ns, rest[0], rest[1], null),
                3 => new Route(group, version, ns, rest[0], rest[1], rest[2]),
                _ => null,
            };
        }
    }
}
