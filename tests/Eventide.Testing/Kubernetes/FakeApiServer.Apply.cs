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

/// <summary>The apply model: server-side apply with field managers (per top-level field and the level under it), conflicts unless forced, fields a manager dropped removed; and JSON merge patch, of the object or its status subresource.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>The field managers of an object and the fields each owns, as "top" or "top.sub".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Managers(string apiVersion, string plural, string? ns, string name)
    {
        lock (_gate)
        {
            var s = _objects[Key(GroupOf(apiVersion), plural, ns, name)];
            return s.Managed.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value.Select(p => p.ToString()).Order(StringComparer.Ordinal)]);
        }
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
}
