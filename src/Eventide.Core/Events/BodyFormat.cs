namespace Eventide.Core.Events;

/// <summary>How a request body lays out its events.</summary>
public enum BodyFormat
{
    /// <summary>One JSON event object, or a JSON array of them.</summary>
    Json,

    /// <summary>Newline-delimited JSON: one event object per line; blank lines are ignored.</summary>
    Ndjson,
}
