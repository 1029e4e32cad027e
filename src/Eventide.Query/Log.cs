using Microsoft.Extensions.Logging;

namespace Eventide.Query;

/// <summary>
/// Every log message of the query role, with stable event ids. Each project has its own range of ids,
/// so an id names one message across the whole system: Eventide.Server 1–999, Eventide.Storage
/// 1000–1999, Eventide.Ingestion 2000–2999, Eventide.Processor 3000–3999, Eventide.Query
/// 4000–4999, Eventide.Operator 5000–5999 (this project: 4000–4999).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Debug, "Started live stream for site {Site}")]
    public static partial void LiveStarted(ILogger logger, string site);

    [LoggerMessage(4002, LogLevel.Debug, "Ended live stream for site {Site} after {Messages} messages")]
    public static partial void LiveEnded(ILogger logger, string site, int messages);

    [LoggerMessage(4003, LogLevel.Warning, "Dropped a live client of site {Site} that did not keep up with its messages")]
    public static partial void LiveClientDropped(ILogger logger, string site);

    [LoggerMessage(4004, LogLevel.Error, "Live updates of site {Site} stopped")]
    public static partial void LivePumpFailed(ILogger logger, Exception exception, string site);
}
