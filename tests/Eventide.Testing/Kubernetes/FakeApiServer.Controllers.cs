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

/// <summary>Stand-ins for the cluster's controllers: the Deployment controller reporting replicas ready, the garbage collector deleting dependents by owner reference, and a pipeline's lag endpoint.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>Stand-in for the Deployment controller: every Deployment reports all replicas ready.</summary>
    public bool DeploymentsBecomeAvailable { get; set; } = true;

    /// <summary>What <c>GET /v1/admin/lag</c> answers.</summary>
    public (long TotalEvents, double MaxAgeSeconds) Lag { get; set; }

    /// <summary>The bearer token <c>GET /v1/admin/lag</c> requires.</summary>
    public string AdminToken { get; set; } = "admin-token";

    public int LagRequests => _lagRequests;

    private int _lagRequests;

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
            foreach (var (key, s) in _objects.Where(kv => kv.Key.StartsWith("apps/statefulsets/", StringComparison.Ordinal)).ToList())
            {
                SetStatefulSetStatus(s.Object);
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

    private void SetDeploymentStatus(JsonObject deployment)
    {
        var replicas = LongOf(deployment["spec"]?["replicas"]) ?? 1;
        var ready = DeploymentsBecomeAvailable ? replicas : 0;
        deployment["status"] = new JsonObject
        {
            ["observedGeneration"] = LongOf(deployment["metadata"]?["generation"]) ?? 1,
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
}
