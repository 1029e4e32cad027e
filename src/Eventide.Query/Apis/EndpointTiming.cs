using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Eventide.Query.Apis;

internal static class EndpointTiming
{
    /// <summary>Records eventide_query_duration_seconds{endpoint} around the handler.</summary>
    public static RouteHandlerBuilder Timed(this RouteHandlerBuilder builder, string endpoint) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await next(context);
            }
            finally
            {
                QueryMetrics.Duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint));
            }
        });
}
