namespace Eventide.Storage;

/// <summary>
/// One versioned migration: a file <c>NNNN_name.sql</c>, or a pair
/// <c>NNNN_name.plain.sql</c> / <c>NNNN_name.timescale.sql</c> for the two modes.
/// A file whose first line is <c>-- eventide:no-transaction</c> runs statement
/// by statement (statements separated by lines of <c>---</c>), for DDL that
/// TimescaleDB refuses inside a transaction block.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public const string NoTransactionMarker = "-- eventide:no-transaction";

    public bool Transactional => !Sql.StartsWith(NoTransactionMarker, StringComparison.Ordinal);

    public IReadOnlyList<string> Statements() =>
        Sql.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
