using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Eventide.Operator.Kubernetes;

/// <summary>The Kubernetes REST API over HttpClient, JSON in and out.</summary>
public sealed class KubernetesClient : IKubernetesApi, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly HttpClient _http;
    private readonly Func<string?>? _token;

    public KubernetesClient(ClusterConnection connection)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions(),
        };
        if (connection.ClientCertificate is { } cert)
        {
            handler.SslOptions.ClientCertificates = [cert];
        }
        if (connection.InsecureSkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (connection.CertificateAuthority is { Count: > 0 } ca)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                TrustedBy(ca, certificate, errors);
        }
        // Watches stay open for minutes; per-request deadlines are set per call instead.
        _http = new HttpClient(handler) { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
        _token = connection.Token;
    }

    public void Dispose() => _http.Dispose();

    public async Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken ct)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, type.Path(ns, name), null, null, ct);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<ResourceList> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken ct)
    {
        var query = labelSelector is null ? "" : $"?labelSelector={Uri.EscapeDataString(labelSelector)}";
        var list = await SendAsync(HttpMethod.Get, type.Path(ns) + query, null, null, ct);
        var items = list["items"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        // List items come without apiVersion and kind; put them back so they read like watched objects.
        foreach (var item in items)
        {
            item["apiVersion"] ??= type.ApiVersion;
            item["kind"] ??= type.Kind;
        }
        return new ResourceList(items, (string?)list["metadata"]?["resourceVersion"] ?? "");
    }

    public Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, type.Path(ns), obj, JsonType, ct);

    public Task<JsonObject> ReplaceAsync(ResourceType type, string? ns, string name, JsonObject obj, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, type.Path(ns, name), obj, JsonType, ct);

    public Task<JsonObject> ApplyAsync(JsonObject obj, string fieldManager, bool force, CancellationToken ct)
    {
        var type = ResourceType.For((string?)obj["apiVersion"] ?? "", (string?)obj["kind"] ?? "");
        var meta = obj["metadata"] ?? throw new ArgumentException("The object has no metadata.");
        var path = type.Path((string?)meta["namespace"], (string?)meta["name"]);
        var query = $"?fieldManager={Uri.EscapeDataString(fieldManager)}&force={(force ? "true" : "false")}";
        // JSON is YAML, so the apply-patch+yaml body may be JSON.
        return SendAsync(HttpMethod.Patch, path + query, obj, new MediaTypeHeaderValue("application/apply-patch+yaml"), ct);
    }

    public Task<JsonObject> MergePatchAsync(ResourceType type, string? ns, string name, JsonObject patch, string? subresource, CancellationToken ct) =>
        SendAsync(HttpMethod.Patch, type.Path(ns, name, subresource), patch, new MediaTypeHeaderValue("application/merge-patch+json"), ct);

    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, CancellationToken ct)
    {
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = "Background" };
        try
        {
            await SendAsync(HttpMethod.Delete, type.Path(ns, name), options, JsonType, ct);
            return true;
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, string resourceVersion, string? labelSelector, [EnumeratorCancellation] CancellationToken ct)
    {
        var query = $"?watch=true&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        if (labelSelector is not null)
        {
            query += $"&labelSelector={Uri.EscapeDataString(labelSelector)}";
        }
        using var request = NewRequest(HttpMethod.Get, type.Path(ns) + query, null, null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, ct);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var node = JsonNode.Parse(line)!.AsObject();
            var type_ = (string?)node["type"] ?? "";
            var obj = node["object"]?.AsObject() ?? [];
            if (type_ == WatchEvent.Error)
            {
                // The server reports an expired resourceVersion inside the stream as a Status with code 410.
                var code = (int?)obj["code"] ?? 500;
                throw new KubeApiException((HttpStatusCode)code, (string?)obj["reason"] ?? "", (string?)obj["message"] ?? "watch error");
            }
            yield return new WatchEvent(type_, obj);
        }
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, MediaTypeHeaderValue? contentType, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(RequestTimeout);
        using var request = NewRequest(method, path, body, contentType);
        using var response = await _http.SendAsync(request, deadline.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, deadline.Token);
        }
        var text = await response.Content.ReadAsStringAsync(deadline.Token);
        return text.Length == 0 ? [] : JsonNode.Parse(text)?.AsObject() ?? [];
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, JsonObject? body, MediaTypeHeaderValue? contentType)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_token?.Invoke() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(Json.Options), Encoding.UTF8);
            request.Content.Headers.ContentType = contentType ?? JsonType;
        }
        return request;
    }

    private static async Task<KubeApiException> ErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        string reason = response.ReasonPhrase ?? "", message = text;
        try
        {
            if (JsonNode.Parse(text) is JsonObject status)
            {
                reason = (string?)status["reason"] ?? reason;
                message = (string?)status["message"] ?? message;
            }
        }
        catch (JsonException)
        {
            // Not a Status object (a proxy in between): keep the raw text.
        }
        return new KubeApiException(response.StatusCode, reason, message);
    }

    private static bool TrustedBy(X509Certificate2Collection ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }
}
