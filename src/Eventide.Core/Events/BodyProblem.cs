namespace Eventide.Core.Events;

/// <summary>A problem with the request body as a whole, which refuses every event in it.</summary>
public enum BodyProblem
{
    None,

    /// <summary>The body is not valid UTF-8, not valid JSON, empty, or not shaped as events (400).</summary>
    Malformed,

    /// <summary>The body holds more events than the per-request limit (413).</summary>
    TooManyEvents,
}
