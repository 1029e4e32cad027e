namespace Eventide.Server.Metrics;

/// <summary>
/// An instrument on another library's meter re-exposed under an Eventide
/// name: only the mapped tags become labels (renamed), and measurements whose
/// tags fail the filter are ignored.
/// </summary>
public sealed record ForeignInstrument(
    string MeterName,
    string InstrumentName,
    string ExposedName,
    string Help,
    IReadOnlyDictionary<string, string> Labels,
    Func<IReadOnlyDictionary<string, object?>, bool>? Filter = null)
{
    /// <summary>
    /// Npgsql 10 (meter "Npgsql", OpenTelemetry database semantic conventions).
    /// Only pools whose data source is named "eventide…" count (Eventide names
    /// its data sources, e.g. "eventide", "eventide-ingestion"; an unnamed one
    /// is named after its connection string, which must not become a label).
    /// The pool name is the "pool" label.
    /// </summary>
    public static IReadOnlyList<ForeignInstrument> Npgsql { get; } =
    [
        new("Npgsql", "db.client.connection.count", "eventide_db_pool_connections",
            "Connections in an Eventide database pool by state (idle, used).",
            new Dictionary<string, string> { ["db.client.connection.state"] = "state", [PoolName] = "pool" }, IsEventidePool),
        new("Npgsql", "db.client.connection.max", "eventide_db_pool_max_connections",
            "Maximum connections an Eventide database pool may open (Maximum Pool Size).",
            new Dictionary<string, string> { [PoolName] = "pool" }, IsEventidePool),
        new("Npgsql", "db.client.connection.npgsql.pending_requests", "eventide_db_pool_pending_requests",
            "Requests waiting for a connection from an Eventide database pool.",
            new Dictionary<string, string> { [PoolName] = "pool" }, IsEventidePool),
        new("Npgsql", "db.client.connection.npgsql.timeouts", "eventide_db_pool_timeouts",
            "Times a request for a connection from an Eventide database pool timed out.",
            new Dictionary<string, string> { [PoolName] = "pool" }, IsEventidePool),
    ];

    private const string PoolName = "db.client.connection.pool.name";

    private static bool IsEventidePool(IReadOnlyDictionary<string, object?> tags) =>
        tags.TryGetValue(PoolName, out var name) && name is string s
        && s.StartsWith("eventide", StringComparison.Ordinal);
}
