using System.ComponentModel;
using Eventide.Query.Parameters;
using Microsoft.AspNetCore.Mvc;

namespace Eventide.Query.Access;

/// <summary>
/// The parameters every site query shares, bound with [AsParameters]. The route group's
/// filter (<see cref="SiteQueryFilter"/>) checks access and parses them once, before the
/// handler runs: handlers read <see cref="Range"/>, <see cref="Top"/> and <see cref="Where"/>.
/// </summary>
public sealed class SiteQuery
{
    [FromRoute(Name = "site")]
    [Description("The site id.")]
    public required string Site { get; init; }

    [FromQuery(Name = "from")]
    [Description("Start of the range, inclusive (RFC 3339). Omit from and to for the last 24 hours.")]
    public string? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("End of the range, exclusive (RFC 3339).")]
    public string? To { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Rows to return (top lists, breakdown rows, events per page), 1-1000.")]
    public string? Limit { get; init; }

    [FromQuery(Name = "name")]
    [Description("Only events with this exact name.")]
    public string? Name { get; init; }

    [FromQuery(Name = "path")]
    [Description("Only events with this exact path.")]
    public string? Path { get; init; }

    [FromQuery(Name = "filter")]
    [Description("property:<key>=<value>: only events whose top-level property <key> has this value (as text). Repeat for several; all must hold.")]
    public string[]? Filter { get; init; }

    /// <summary>The parsed range; set by the group filter.</summary>
    public TimeRange Range { get; private set; }

    /// <summary>The parsed limit or the endpoint's default; set by the group filter.</summary>
    public int Top { get; private set; }

    /// <summary>The parsed name, path and property filters; set by the group filter.</summary>
    public QueryFilter Where { get; private set; } = QueryFilter.None;

    /// <summary>Parses the shared parameters; returns the 400 detail, or null once they are usable.</summary>
    internal string? Bind(DateTimeOffset now, int maxRangeDays, QueryLimit limit)
    {
        var top = limit.Default;
        QueryFilter? where = null;
        var error = QueryParameters.TryParseRange(From, To, now, maxRangeDays, out var range)
            ?? QueryParameters.TryParseLimit(Limit, limit.Default, limit.Max, out top)
            ?? QueryParameters.TryParseFilter(Name, Path, Filter, out where);
        if (error is not null)
        {
            return error;
        }
        (Range, Top, Where) = (range, top, where!);
        return null;
    }
}
