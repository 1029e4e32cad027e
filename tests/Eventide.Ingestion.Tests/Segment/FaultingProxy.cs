using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Eventide.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion.Tests.Segment;

/// <summary>
/// A loopback HTTP proxy in front of Eventide that forwards every request, but answers the
/// first one 503 after Eventide committed it: the answer an SDK gets when a response is lost
/// or the pipeline cannot confirm. The SDK must retry, and the retry must not store twice.
/// </summary>
public sealed class FaultingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private int _requests;

    private FaultingProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Each request seen: its X-Retry-Count header and what Eventide answered.</summary>
    public ConcurrentQueue<(string? RetryCount, int UpstreamStatus, int AnsweredStatus)> Seen { get; } = new();

    public static async Task<FaultingProxy> StartAsync(Uri upstream)
    {
        var builder = LoopbackKestrel.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var proxy = new FaultingProxy(app, new HttpClient { BaseAddress = upstream, Timeout = TimeSpan.FromSeconds(30) });
        app.MapPost("/{**path}", proxy.ForwardAsync);
        proxy.Address = await LoopbackKestrel.StartAsync(app);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var forward = new HttpRequestMessage(HttpMethod.Post, new Uri(context.Request.Path + context.Request.QueryString, UriKind.Relative))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
        forward.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
        var retry = context.Request.Headers["X-Retry-Count"].ToString();
        if (retry.Length > 0)
        {
            forward.Headers.Add("X-Retry-Count", retry);
        }
        using var answer = await _upstream.SendAsync(forward, context.RequestAborted);
        var first = Interlocked.Increment(ref _requests) == 1;
        var status = first ? StatusCodes.Status503ServiceUnavailable : (int)answer.StatusCode;
        Seen.Enqueue((retry.Length > 0 ? retry : null, (int)answer.StatusCode, status));
        context.Response.StatusCode = status;
        if (!first)
        {
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync(context.RequestAborted), context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
