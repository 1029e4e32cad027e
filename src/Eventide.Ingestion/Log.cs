using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// Every log message of the ingestion role, with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: 2000–2999).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Warning, "Inbox commit of {Events} events failed ({Outcome}); answering 503 until the database accepts commits again")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int events, string outcome);

    [LoggerMessage(2002, LogLevel.Information, "Inbox commits succeeded again after {Failures} failed commits")]
    public static partial void CommitRecovered(ILogger logger, long failures);

    [LoggerMessage(2003, LogLevel.Debug, "Inbox rotated: current slot {Slot}, advanced {Advanced}, truncated slots [{Truncated}]")]
    public static partial void InboxRotated(ILogger logger, int slot, bool advanced, string truncated);

    [LoggerMessage(2004, LogLevel.Warning, "Inbox rotation failed; retrying next interval")]
    public static partial void RotationFailed(ILogger logger, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "Write key lookup failed; answered 503")]
    public static partial void KeyLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Inbox connection warm-up failed at start; commits will connect on demand")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(2008, LogLevel.Warning, "Dead letters of a Segment request could not be written; answered 503")]
    public static partial void SegmentDeadLettersFailed(ILogger logger, Exception exception);

    [LoggerMessage(2009, LogLevel.Information, "Dead-lettered {Count} Segment messages of site {Site}; the first was rejected because {Reason}")]
    public static partial void SegmentMessagesDeadLettered(ILogger logger, int count, string site, string reason);

    [LoggerMessage(2006, LogLevel.Information, "Group committer drained its queue and stopped")]
    public static partial void CommitterStopped(ILogger logger);

    [LoggerMessage(2010, LogLevel.Warning, "Inbox passed its high-water mark ({Events} events waiting, oldest {AgeSeconds:F0} s); intake answers 503 until it drains")]
    public static partial void HighWaterExceeded(ILogger logger, long events, double ageSeconds);

    [LoggerMessage(2011, LogLevel.Information, "Inbox fell below its high-water mark ({Events} events waiting, oldest {AgeSeconds:F0} s); intake accepts events again")]
    public static partial void HighWaterCleared(ILogger logger, long events, double ageSeconds);

    [LoggerMessage(2012, LogLevel.Warning, "Inbox size could not be read for the high-water mark; keeping the last reading")]
    public static partial void HighWaterReadFailed(ILogger logger, Exception exception);
}
