namespace Eventide.Core.Events;

/// <summary>Why one event of a request was rejected; also the <c>reason</c> tag of the rejected-events metric.</summary>
public enum RejectReason
{
    /// <summary>A field is missing, of the wrong type, too long, or the event is not valid JSON.</summary>
    Invalid,

    /// <summary>The event or its properties exceed a size or depth limit.</summary>
    TooLarge,

    /// <summary>The timestamp is further in the future than the accepted clock skew.</summary>
    Future,

    /// <summary>The timestamp is older than the retention horizon.</summary>
    TooOld,

    /// <summary>The write key does not cover the event's site.</summary>
    Forbidden,
}
