namespace Eventide.Storage.Analytics;

/// <summary>
/// Exact-match filters shared by summary, timeseries, breakdown and events: event name, path
/// and top-level property values (all must hold). The aggregates have name and path, so only
/// property filters force a read of raw events.
/// </summary>
public sealed record QueryFilter(string? Name, string? Path, IReadOnlyList<KeyValuePair<string, string>> Properties)
{
    public static readonly QueryFilter None = new(null, null, []);

    public bool IsEmpty => Name is null && Path is null && Properties.Count == 0;

    public bool HasProperties => Properties.Count > 0;
}
