using Eventide.Core;

namespace Eventide.Ingestion.Segment;

/// <summary>What <see cref="SegmentMapper"/> made of a request's messages: the events to commit and a rejection for every other message.</summary>
public sealed class SegmentMapping
{
    /// <summary>Messages in the request, valid and rejected.</summary>
    public int Count { get; internal set; }

    public List<EventRecord> Accepted { get; } = [];

    /// <summary>In index order, one per rejected message.</summary>
    public List<SegmentRejection> Rejected { get; } = [];
}
