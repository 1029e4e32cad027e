namespace Eventide.Core;

/// <summary>Whether storage uses the TimescaleDB extension.</summary>
public enum TimescaleMode
{
    /// <summary>Use TimescaleDB when the extension can be loaded (installed and preloaded), else plain PostgreSQL with one warning.</summary>
    Auto,

    /// <summary>Fail, with one line saying what to set, unless TimescaleDB can be loaded.</summary>
    Required,

    /// <summary>Plain PostgreSQL: native partitions and views with the same names.</summary>
    Off,
}
