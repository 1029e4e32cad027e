using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Eventide.Testing.Kubernetes;

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
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private const string Unset = "";
    private readonly Lock _gate = new();
    private readonly WebApplication _app;

    private FakeApiServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.Map("/v1/admin/lag", server.HandleLag);
        app.Map("/{**path}", server.HandleAsync);
        server.Url = await LoopbackKestrel.StartAsync(app);
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

        if (TakeHang(method, route.Plural))
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    private Result Dispatch(string method, Route route, IQueryCollection q, string? contentType, JsonObject? body)
    {
        {
            return (method, route.Name, route.Subresource) switch
            {
                (_, not null, "scale") => ScaleLocked(method, route, contentType ?? "", body, q["fieldManager"].ToString()),
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

    private static string GroupOf(string apiVersion) => apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion.Split('/')[0] : "";

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
