using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Eventide.Core;
using Eventide.Storage;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion.Tests;

/// <summary>The ingestion role alone in an in-process Kestrel host on a loopback port.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(EventideOptions options)
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddProblemDetails();
        builder.Services.AddEventideStorage(options);
        builder.Services.AddEventideIngestion(options);
        var app = builder.Build();
        app.MapEventideIngestion();
        return new TestHost(app, await LoopbackKestrel.StartAsync(app));
    }

    public Task<HttpResponseMessage> PostAsync(string key, string body, string contentType = "application/json", string path = "/v1/events", bool retryUnavailable = true) =>
        PostAsync(key, Encoding.UTF8.GetBytes(body), contentType, path, retryUnavailable: retryUnavailable);

    /// <summary>Posts like a well-behaved client, a 503 retried as <see cref="UnavailableRetry"/> says; tests of the 503 paths pass retryUnavailable: false.</summary>
    public Task<HttpResponseMessage> PostAsync(string? key, byte[] body, string contentType = "application/json", string path = "/v1/events",
        string? encoding = null, bool retryUnavailable = true) =>
        UnavailableRetry.SendAsync(() => PostOnceAsync(key, body, contentType, path, encoding), retryUnavailable);

    private async Task<HttpResponseMessage> PostOnceAsync(string? key, byte[] body, string contentType, string path, string? encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding);
        }
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        // As curl does for large bodies: a refusal (413) then arrives before the upload instead of
        // racing it, where the client could see a broken pipe rather than the answer.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        return await Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Reading answers and the inbox in tests.</summary>
public static class Answers
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static List<string> Ids(JsonElement body) => [.. body.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)];
}
