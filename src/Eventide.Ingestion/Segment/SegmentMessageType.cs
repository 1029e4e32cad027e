namespace Eventide.Ingestion.Segment;

/// <summary>The Segment Spec's message types (the <c>type</c> field of a batch message, or the endpoint).</summary>
public enum SegmentMessageType
{
    Track,
    Page,
    Screen,
    Identify,
    Group,
    Alias,
}
