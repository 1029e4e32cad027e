using System.Net;
using System.Text.RegularExpressions;
using Eventide.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Eventide.Reliability.Tests.Security;

/// <summary>
/// Every admin endpoint, read from the route table of a host with every role (so a
/// new one is covered without editing this test), refuses everyone but the admin token.
/// </summary>
public partial class AdminEndpointTests(SecuredPipeline pipeline) : IClassFixture<SecuredPipeline>
{
    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private List<(string Method, string Path)> AdminRoutes(Role roles = Role.All)
    {
        var options = pipeline.Options(o => o.Admin.Token = Harness.Pipeline.AdminToken);
        var app = EventideHost.Build(options, roles, "http://127.0.0.1:0");
        // Built, never started: only its route table is read.
        return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.Contains("admin", StringComparison.OrdinalIgnoreCase) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, RouteParameter().Replace(e.RoutePattern.RawText!, "1"))))
            .Distinct()];
    }

    [Fact]
    public async Task Admin_endpoints_refuse_missing_wrong_and_site_keys_and_accept_the_admin_token()
    {
        var routes = AdminRoutes();
        Assert.Contains(("GET", "/v1/admin/lag"), routes);
        Assert.Contains(("GET", "/v1/admin/dead-letters/"), routes);
        Assert.Contains(("POST", "/v1/admin/dead-letters/replay"), routes);
        Assert.Contains(("GET", "/v1/admin/cluster"), routes);
        // Each role's own route table: whatever admin route a role maps is one the all-roles host
        // maps too, so the requests below cover it (the ingestion and query workloads run alone).
        foreach (var role in new[] { Role.Ingestion, Role.Processor, Role.Query })
        {
            var own = AdminRoutes(role);
            Assert.True(own.All(routes.Contains), $"{role} maps admin routes the all-roles host does not: {string.Join(", ", own.Except(routes))}");
        }
        var credentials = new (string? Key, HttpStatusCode Expected)[]
        {
            (null, HttpStatusCode.Unauthorized),
            ("wrong-" + Harness.Pipeline.AdminToken, HttpStatusCode.Unauthorized),
            (pipeline.Alpha.WriteKey, HttpStatusCode.Forbidden),
            (pipeline.Alpha.ReadKey, HttpStatusCode.Forbidden),
        };
        foreach (var (method, path) in routes)
        {
            foreach (var (key, expected) in credentials)
            {
                using var http = pipeline.Client(key);
                using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));
                Assert.True(expected == response.StatusCode, $"{method} {path} with {(key is null ? "no key" : key[..4] + "...")}: {response.StatusCode}, expected {expected}");
            }
            using var admin = pipeline.Client(Harness.Pipeline.AdminToken);
            using var allowed = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));
            Assert.True((int)allowed.StatusCode is >= 200 and < 300, $"{method} {path} with the admin token: {allowed.StatusCode}");
        }
    }
}
