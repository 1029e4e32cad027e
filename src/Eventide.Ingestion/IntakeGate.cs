using Eventide.Core;
using Eventide.Ingestion.Commit;
using Eventide.Storage.Auth;
using Microsoft.Extensions.Logging;

namespace Eventide.Ingestion;

/// <summary>
/// The steps every intake API shares, whatever its wire format (the Eventide event API,
/// the Segment Tracking API): write-key lookup under a deadline, the per-site rate limit,
/// the group commit with its 503 semantics, and the request and event metrics. One place,
/// so every API refuses, limits and commits the same way. One file per step: .Auth, .RateLimit,
/// .Commit, .Admission, .Metrics; the answers it gives are <see cref="IntakeProblems"/>.
/// </summary>
public sealed partial class IntakeGate
{
    /// <summary>Even when the key lookup ate most of the budget, a commit gets this long.</summary>
    private static readonly TimeSpan MinCommitWait = TimeSpan.FromMilliseconds(100);

    private readonly ApiKeyAuthenticator _auth;
    private readonly SiteRateLimiter _rateLimiter;
    private readonly GroupCommitter _committer;
    private readonly IngestionOptions _options;
    private readonly ILogger<IntakeGate> _logger;

    /// <summary>
    /// A write-key lookup that takes longer is answered 503: the database is the only place keys
    /// live. It shares the request's CommitTimeoutMs budget, leaving at least 100 ms for the commit.
    /// </summary>
    private readonly TimeSpan _keyLookupTimeout;
    private readonly IngestionMetrics _metrics;
    private readonly InboxHighWater _highWater;

    public IntakeGate(IngestionDatabase database, SiteRateLimiter rateLimiter, GroupCommitter committer, EventideOptions options,
        IngestionMetrics metrics, InboxHighWater highWater, ILogger<IntakeGate> logger, TimeProvider? time = null)
    {
        _highWater = highWater;
        _metrics = metrics;
        // Keys are looked up through the fail-fast data source, so a dead database costs a request
        // the key lookup timeout at most. Cached keys keep working while it is down.
        _auth = new ApiKeyAuthenticator(database.DataSource, options, time);
        _rateLimiter = rateLimiter;
        _committer = committer;
        _options = options.Ingestion;
        _keyLookupTimeout = TimeSpan.FromMilliseconds(Math.Max(50, options.Ingestion.CommitTimeoutMs - 100));
        _logger = logger;
    }

    public IngestionOptions Options => _options;
}
