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

/// <summary>The access recorder: every (API group, resource, verb) a bearer token used, named as the API server's authorizer names them, so tests can derive the RBAC the operator needs.</summary>
public sealed partial class FakeApiServer
{
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
}
