using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Eventide.Query.Dashboard;

/// <summary>
/// Lets a browser authenticate a WebSocket to /live and /live/feed. Browsers cannot set
/// an Authorization header on a WebSocket, and a key in the URL would end up in logs
/// and history; so the page offers two subprotocols, <see cref="Protocol"/> and
/// <see cref="BearerPrefix"/> + base64url(key). This moves the key into the Authorization
/// header (where the query API's access check reads it), removes it from the offered
/// protocols, and answers with <see cref="Protocol"/> so the key is never echoed.
/// </summary>
internal sealed class WebSocketBearerMiddleware(RequestDelegate next)
{
    public const string Protocol = "eventide.v1";
    public const string BearerPrefix = "eventide.bearer.";

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpWebSocketFeature>();
        if (feature is { IsWebSocketRequest: true } && TakeBearer(context.Request.Headers) is { } token)
        {
            if (StringValues.IsNullOrEmpty(context.Request.Headers.Authorization))
            {
                context.Request.Headers.Authorization = "Bearer " + token;
            }
            context.Features.Set<IHttpWebSocketFeature>(new ProtocolWebSocketFeature(feature));
        }
        return next(context);
    }

    /// <summary>Removes the bearer subprotocol from the request and returns the key it carried.</summary>
    private static string? TakeBearer(IHeaderDictionary headers)
    {
        var offered = headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var bearer = offered.FirstOrDefault(p => p.StartsWith(BearerPrefix, StringComparison.Ordinal));
        if (bearer is null)
        {
            return null;
        }
        offered.Remove(bearer);
        headers.SecWebSocketProtocol = offered.Count == 0 ? StringValues.Empty : new StringValues(string.Join(", ", offered));
        var encoded = bearer[BearerPrefix.Length..];
        var bytes = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        return Base64Url.TryDecodeFromChars(encoded, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    /// <summary>Accepts with <see cref="Protocol"/> when the endpoint names none.</summary>
    private sealed class ProtocolWebSocketFeature(IHttpWebSocketFeature inner) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public Task<System.Net.WebSockets.WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            context.SubProtocol ??= Protocol;
            return inner.AcceptAsync(context);
        }
    }
}
