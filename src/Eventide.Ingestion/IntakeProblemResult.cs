using System.Globalization;
using System.Text.Json;
using Eventide.Core.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Eventide.Ingestion;

/// <summary>
/// An RFC 9457 problem+json answer written straight to the response pipe.
/// Refusals are the answers an overloaded or failing instance sends most, so
/// they must stay cheap: no reflection-based serialization, no DOM.
/// </summary>
internal sealed class IntakeProblemResult(int status, string title, string detail) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => status;

    public int Status => status;

    public string Title => title;

    public string Detail => detail;

    /// <summary>Sent as <c>Retry-After</c> (whole seconds, at least 1); null for answers that retrying unchanged cannot fix.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Per-event rejections, written as <c>errors</c> with the <c>rejected</c> count.</summary>
    public List<EventError>? Errors { get; init; }

    public int Rejected { get; init; }

    /// <summary>Event ids whose commit outcome is unknown, written as <c>ids</c>.</summary>
    public List<string>? Ids { get; init; }

    /// <summary>Whole seconds for Retry-After: at least 1, rounded up.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (RetryAfter is { } wait)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds(wait).ToString(CultureInfo.InvariantCulture);
        }
        return IntakeJson.WriteAsync(httpContext, status, "application/problem+json", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, TypeOf(status));
            json.WriteString("title"u8, title);
            json.WriteNumber("status"u8, status);
            json.WriteString("detail"u8, detail);
            if (Errors is { Count: > 0 })
            {
                json.WriteNumber("rejected"u8, Rejected);
                IntakeJson.WriteErrors(json, Errors);
            }
            if (Ids is not null)
            {
                json.WriteStartArray("ids"u8);
                foreach (var id in Ids)
                {
                    json.WriteStringValue(id);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}
