using System.Net;
using Eventide.Testing;

namespace Eventide.Ingestion.Tests;

/// <summary>
/// How the tests' clients treat a 503, as the API asks: one that says nothing was stored (no
/// <c>ids</c>) is sent again, a few times; an in-doubt one (it lists <c>ids</c>) is returned, so
/// a test that counts inbox rows never sees an event twice. A loaded test machine can refuse a
/// commit that outruns its budget.
/// </summary>
internal static class UnavailableRetry
{
    private const int Attempts = 5;

    public static async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> once, bool retryUnavailable)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await once();
            if (!retryUnavailable || attempt == Attempts || response.StatusCode != HttpStatusCode.ServiceUnavailable
                || (await Answers.JsonAsync(response)).TryGetProperty("ids", out _))
            {
                return response;
            }
        }
    }
}
