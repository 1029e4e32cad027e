using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Inbox commit of {Events} events failed ({Outcome}); answering 503 until the database accepts commits again: {Reason}")]
    public static partial void CommitFailed(ILogger logger, int events, string outcome, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Inbox commits succeeded again after {Failures} failed commits")]
    public static partial void CommitRecovered(ILogger logger, long failures);

    [LoggerMessage(2003, LogLevel.Debug, "Inbox rotated: current slot {Slot}, advanced {Advanced}, truncated slots [{Truncated}]")]
    public static partial void InboxRotated(ILogger logger, int slot, bool advanced, string truncated);

    [LoggerMessage(2004, LogLevel.Warning, "Inbox rotation failed; retrying next interval: {Reason}")]
    public static partial void RotationFailed(ILogger logger, string reason);

    [LoggerMessage(2005, LogLevel.Warning, "Write key lookup failed; answered 503: {Reason}")]
    public static partial void KeyLookupFailed(ILogger logger, string reason);

    [LoggerMessage(2007, LogLevel.Warning, "Inbox connection warm-up failed at start; commits will connect on demand: {Reason}")]
    public static partial void WarmUpFailed(ILogger logger, string reason);

    [LoggerMessage(2008, LogLevel.Warning, "Dead letters of a Segment request could not be written; answered 503: {Reason}")]
    public static partial void SegmentDeadLettersFailed(ILogger logger, string reason);

    [LoggerMessage(2009, LogLevel.Information, "Dead-lettered {Count} Segment messages of site {Site}; the first was rejected because {Reason}")]
    public static partial void SegmentMessagesDeadLettered(ILogger logger, int count, string site, string reason);

    [LoggerMessage(2006, LogLevel.Information, "Group committer drained its queue and stopped")]
    public static partial void CommitterStopped(ILogger logger);

    [LoggerMessage(2010, LogLevel.Warning, "Inbox passed its high-water mark ({Events} events waiting, oldest {AgeSeconds:F0} s); intake answers 503 until it drains")]
    public static partial void HighWaterExceeded(ILogger logger, long events, double ageSeconds);

    [LoggerMessage(2011, LogLevel.Information, "Inbox fell below its high-water mark ({Events} events waiting, oldest {AgeSeconds:F0} s); intake accepts events again")]
    public static partial void HighWaterCleared(ILogger logger, long events, double ageSeconds);

    [LoggerMessage(2012, LogLevel.Warning, "Inbox size could not be read for the high-water mark; keeping the last reading: {Reason}")]
    public static partial void HighWaterReadFailed(ILogger logger, string reason);
}
