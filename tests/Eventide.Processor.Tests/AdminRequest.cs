using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Eventide.Processor.Tests;

/// <summary>Requests to the processor's admin API, with the fixtures' admin token unless told otherwise.</summary>
internal static class AdminRequest
{
    public static HttpRequestMessage Create(HttpMethod method, string path, string? token = ShardedFixture.AdminToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }
}
