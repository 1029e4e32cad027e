namespace Eventide.Core;

/// <summary>Whether storage uses the TimescaleDB extension (DESIGN §4).</summary>
public enum TimescaleMode
{
    /// <summary>Use TimescaleDB when the extension can be created, plain PostgreSQL otherwise.</summary>
    Auto,

    /// <summary>Fail unless TimescaleDB is available.</summary>
    Required,

    /// <summary>Plain PostgreSQL: native partitions and views with the same names.</summary>
    Off,
}
