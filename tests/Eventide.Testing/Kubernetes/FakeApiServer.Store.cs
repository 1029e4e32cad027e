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

/// <summary>The object store: one resourceVersion counter, create/get/list/update/delete, optimistic concurrency (409 on a stale resourceVersion), generation bumps on spec changes.</summary>
public sealed partial class FakeApiServer
{
    private readonly Dictionary<string, Stored> _objects = [];
    private long _version = 100;
    private int _uid;

    public int ListRequests => _listRequests;
    private int _listRequests;

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
        else if (route.Plural == "statefulsets")
        {
            SetStatefulSetStatus(obj);
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

    private Result DeleteLocked(Route route)
    {
        if (!_objects.TryGetValue(route.Key, out var s))
        {
            return Result.Error(404, "NotFound", $"{route.Plural} \"{route.Name}\" not found");
        }
        DeleteCascading(route.Key, s);
        return new Result(200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Success" });
    }

    private Result Write(Route route, Stored s, JsonObject next)
    {
        if (!JsonNode.DeepEquals(WithoutMetaAndStatus(s.Object), WithoutMetaAndStatus(next)))
        {
            next["metadata"]!["generation"] = (LongOf(s.Object["metadata"]?["generation"]) ?? 0) + 1;
        }
        if (route.Plural == "deployments")
        {
            SetDeploymentStatus(next);
        }
        else if (route.Plural == "statefulsets")
        {
            SetStatefulSetStatus(next);
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

    private static string Key(string group, string plural, string? ns, string name) => $"{group}/{plural}/{ns}/{name}";

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

    // An integer field, whether the node was parsed or built in memory (a node
    // built from an int refuses a cast to long, a parsed one does not).
    private static long? LongOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l
            : null;
}
