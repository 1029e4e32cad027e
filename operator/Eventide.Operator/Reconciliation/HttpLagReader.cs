using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;
using k8s;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// Reads lag from the pipeline's own API through its query Service, with the
/// admin token from the pipeline's Secret.
/// </summary>
/// <param name="baseUrl">Where a pipeline's API is; in a cluster its query Service. Tests point it elsewhere.</param>
public sealed class HttpLagReader(IKubernetes client, HttpClient http, Func<EventPipeline, Uri>? baseUrl = null) : ILagReader
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<LagReport> ReadAsync(EventPipeline pipeline, CancellationToken ct)
    {
        var token = await AdminTokenAsync(pipeline, ct);
        var root = baseUrl?.Invoke(pipeline) ?? new Uri(Names.ServiceUrl(pipeline, DataPlaneRole.Query));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, "/v1/admin/lag"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new LagUnavailableException($"GET /v1/admin/lag answered {(int)response.StatusCode}");
            }
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(deadline.Token))?.AsObject()
                ?? throw new LagUnavailableException("GET /v1/admin/lag answered null");
            return new LagReport(
                (long?)body["total_events"] ?? 0,
                (double?)body["max_age_seconds"] ?? 0,
                body["shards"]?.AsArray().Count ?? 0);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or FormatException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new LagUnavailableException($"GET /v1/admin/lag failed: {e.Message}", e);
        }
    }

    private async Task<string> AdminTokenAsync(EventPipeline p, CancellationToken ct)
    {
        var reference = p.Spec.AdminTokenSecretRef;
        k8s.Models.V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(reference.Name, p.Namespace, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            throw new LagUnavailableException($"Secret {reference.Name} not found");
        }
        var value = secret.Data?.TryGetValue(reference.Key, out var bytes) == true ? bytes
            : throw new LagUnavailableException($"Secret {reference.Name} has no key {reference.Key}");
        return Encoding.UTF8.GetString(value).Trim();
    }
}
