using Microsoft.Extensions.Logging;

namespace Eventide.Query;

internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Debug, "Started live stream for site {Site}")]
    public static partial void LiveStarted(ILogger logger, string site);

    [LoggerMessage(4002, LogLevel.Debug, "Ended live stream for site {Site} after {Messages} messages")]
    public static partial void LiveEnded(ILogger logger, string site, int messages);

    [LoggerMessage(4003, LogLevel.Warning, "Dropped a live client of site {Site} that did not keep up with its messages")]
    public static partial void LiveClientDropped(ILogger logger, string site);

    [LoggerMessage(4004, LogLevel.Error, "Live updates of site {Site} stopped: {Error}")]
    public static partial void LivePumpFailed(ILogger logger, string site, string error);
}
