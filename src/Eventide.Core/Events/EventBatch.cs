namespace Eventide.Core.Events;

/// <summary>
/// What <see cref="EventParser"/> made of one request body: either a
/// <see cref="Problem"/> that refuses the whole body, or the valid events and a
/// rejection for every other one, so that nothing is dropped silently.
/// </summary>
public sealed class EventBatch
{
    public BodyProblem Problem { get; private set; }

    /// <summary>What is wrong with the body, for a person to fix; null without a problem.</summary>
    public string? ProblemDetail { get; private set; }

    /// <summary>How many events the body holds (valid and rejected).</summary>
    public int Count { get; internal set; }

    public List<IndexedEvent> Valid { get; } = [];

    /// <summary>Rejections in index order; an event may have several (one per field at fault).</summary>
    public List<EventError> Errors { get; } = [];

    internal EventBatch Refuse(BodyProblem problem, string detail)
    {
        Problem = problem;
        ProblemDetail = detail;
        Valid.Clear();
        Errors.Clear();
        return this;
    }
}
