using Microsoft.Extensions.Logging;

namespace Eventide.Operator;

/// <summary>Every log message of the operator, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(1002, LogLevel.Information, "Watch of {Resource} expired (410 Gone); listing again")]
    public static partial void WatchExpired(ILogger logger, string resource);

    [LoggerMessage(1003, LogLevel.Warning, "Watch of {Resource} failed; listing again")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(2001, LogLevel.Debug, "Reconciled EventPipeline {Key}: {Objects} objects applied, processor replicas {Replicas}")]
    public static partial void Reconciled(ILogger logger, string key, int objects, int? replicas);

    [LoggerMessage(2002, LogLevel.Warning, "Reconcile of EventPipeline {Key} failed; retrying in {Delay}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string key, TimeSpan delay);

    [LoggerMessage(2003, LogLevel.Information, "EventPipeline {Key} was deleted; its objects go with it")]
    public static partial void PipelineGone(ILogger logger, string key);

    [LoggerMessage(2004, LogLevel.Warning, "EventPipeline {Key} has an invalid spec: {Errors}")]
    public static partial void InvalidSpec(ILogger logger, string key, string errors);

    [LoggerMessage(2005, LogLevel.Information, "Scaled the processor of EventPipeline {Key} from {From} to {To} replicas (lag {Lag} events, oldest {Age:F1}s)")]
    public static partial void Scaled(ILogger logger, string key, int from, int to, long lag, double age);

    [LoggerMessage(2006, LogLevel.Information, "Read no lag for EventPipeline {Key}: {Reason}")]
    public static partial void LagUnavailable(ILogger logger, string key, string reason);

    [LoggerMessage(2007, LogLevel.Information, "Deleted {Kind} {Name} that EventPipeline {Key} no longer wants")]
    public static partial void Pruned(ILogger logger, string kind, string name, string key);

    [LoggerMessage(3001, LogLevel.Information, "Became the leader on Lease {Lease} as {Identity}")]
    public static partial void BecameLeader(ILogger logger, string lease, string identity);

    [LoggerMessage(3002, LogLevel.Warning, "Lost the leadership of Lease {Lease} as {Identity}")]
    public static partial void LostLeadership(ILogger logger, string lease, string identity);

    [LoggerMessage(3003, LogLevel.Debug, "Lease {Lease} is held by {Holder}")]
    public static partial void LeaseHeld(ILogger logger, string lease, string holder);

    [LoggerMessage(3004, LogLevel.Warning, "Updating Lease {Lease} failed")]
    public static partial void LeaseFailed(ILogger logger, Exception exception, string lease);

    [LoggerMessage(3005, LogLevel.Information, "Could not write Lease {Lease} this round (a conflict or a server error); trying again")]
    public static partial void LeaseWriteFailed(ILogger logger, string lease);

    [LoggerMessage(3006, LogLevel.Information, "Released Lease {Lease} held as {Identity}")]
    public static partial void LeaseReleased(ILogger logger, string lease, string identity);

    [LoggerMessage(4001, LogLevel.Information, "Started the controller as {Identity}, watching {Scope}")]
    public static partial void Started(ILogger logger, string identity, string scope);
}
