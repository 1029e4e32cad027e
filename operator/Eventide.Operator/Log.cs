using Microsoft.Extensions.Logging;

namespace Eventide.Operator;

/// <summary>
/// Every log message of the operator, with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: list-watch 5001–5099, reconcile
/// 5101–5199, leader election 5201–5299, hosting 5301–5399).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Debug, "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(5002, LogLevel.Information, "Watch of {Resource} expired (410 Gone); listing again")]
    public static partial void WatchExpired(ILogger logger, string resource);

    [LoggerMessage(5003, LogLevel.Warning, "Watch of {Resource} failed; listing again")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string resource);

    [LoggerMessage(5101, LogLevel.Debug, "Reconciled EventPipeline {Key}: {Objects} objects applied, processor replicas {Replicas}")]
    public static partial void Reconciled(ILogger logger, string key, int objects, int? replicas);

    [LoggerMessage(5102, LogLevel.Warning, "Reconcile of EventPipeline {Key} failed; retrying in {Delay}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string key, TimeSpan delay);

    [LoggerMessage(5103, LogLevel.Information, "EventPipeline {Key} was deleted; its objects go with it")]
    public static partial void PipelineGone(ILogger logger, string key);

    [LoggerMessage(5104, LogLevel.Warning, "EventPipeline {Key} has an invalid spec: {Errors}")]
    public static partial void InvalidSpec(ILogger logger, string key, string errors);

    [LoggerMessage(5105, LogLevel.Information, "Scaled the processor of EventPipeline {Key} from {From} to {To} replicas (lag {Lag} events, oldest {Age:F1}s)")]
    public static partial void Scaled(ILogger logger, string key, int from, int to, long lag, double age);

    // Lag unavailable is an expected state (no processor ready yet), told by its message; no stack.
    [LoggerMessage(5106, LogLevel.Information, "Read no lag for EventPipeline {Key}: {Reason}")]
    public static partial void LagUnavailable(ILogger logger, string key, string reason);

    [LoggerMessage(5107, LogLevel.Information, "Deleted {Kind} {Name} that EventPipeline {Key} no longer wants")]
    public static partial void Pruned(ILogger logger, string kind, string name, string key);

    [LoggerMessage(5201, LogLevel.Information, "Became the leader on Lease {Lease} as {Identity}")]
    public static partial void BecameLeader(ILogger logger, string lease, string identity);

    [LoggerMessage(5202, LogLevel.Warning, "Lost the leadership of Lease {Lease} as {Identity}")]
    public static partial void LostLeadership(ILogger logger, string lease, string identity);

    [LoggerMessage(5203, LogLevel.Debug, "Lease {Lease} is held by {Holder}")]
    public static partial void LeaseHeld(ILogger logger, string lease, string holder);

    [LoggerMessage(5204, LogLevel.Warning, "Updating Lease {Lease} failed")]
    public static partial void LeaseFailed(ILogger logger, Exception exception, string lease);

    [LoggerMessage(5205, LogLevel.Information, "Could not write Lease {Lease} this round (a conflict or a server error); trying again")]
    public static partial void LeaseWriteFailed(ILogger logger, string lease);

    [LoggerMessage(5206, LogLevel.Information, "Released Lease {Lease} held as {Identity}")]
    public static partial void LeaseReleased(ILogger logger, string lease, string identity);

    [LoggerMessage(5207, LogLevel.Error, "The leading work on Lease {Lease} failed; campaigning again")]
    public static partial void LeadingFailed(ILogger logger, Exception exception, string lease);

    [LoggerMessage(5301, LogLevel.Information, "Started the controller as {Identity}, watching {Scope}")]
    public static partial void Started(ILogger logger, string identity, string scope);
}
