using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Eventide.Server.Metrics;

/// <summary>
/// HTTP requests per route template, method and status. Labels are bounded:
/// the route is the endpoint's template (never the raw path), unmatched
/// requests share one route value, and unusual methods collapse to OTHER.
/// The meter comes from the host's IMeterFactory, so each host (several run
/// in one test process) counts only its own requests.
/// </summary>
public sealed class HttpMetrics
{
    public const string UnmatchedRoute = "unmatched";

    private static readonly string[] StatusTexts = [.. Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public HttpMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(PrometheusExporter.MeterName);
        _requests = meter.CreateCounter<long>(
            "eventide_http_requests", "{request}", "HTTP requests served, by route template, method and status code.");
        _duration = meter.CreateHistogram<double>(
            "eventide_http_request_duration_seconds", "s", "Time to serve an HTTP request, by route template and method.");
    }

    /// <summary>Middleware: records every request after the rest of the pipeline (including routing) ran.</summary>
    public async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var status = 0;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        catch
        {
            status = StatusCodes.Status500InternalServerError;
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? UnmatchedRoute;
            var method = Method(context.Request.Method);
            _requests.Add(1,
                new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("method", method),
                new KeyValuePair<string, object?>("status", StatusText(status)));
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("method", method));
        }
    }

    private static string Method(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "OPTIONS" => method,
        _ => "OTHER",
    };

    // fast path: status codes are interned strings, no per-request formatting.
    private static string StatusText(int status) => status is >= 0 and < 600 ? StatusTexts[status] : "other";
}
