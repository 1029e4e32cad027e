namespace Eventide.Operator.Reconciliation;

/// <summary>How the controller runs. Defaults are for a cluster; tests shorten the times.</summary>
public sealed record OperatorOptions
{
    public const string DefaultFieldManager = "eventide-operator";

    /// <summary>The one field manager every apply uses, so ownership of fields stays with one name across versions.</summary>
    public string FieldManager { get; init; } = DefaultFieldManager;

    /// <summary>Namespace to watch; null watches all.</summary>
    public string? Namespace { get; init; }

    public string LeaseNamespace { get; init; } = "default";

    public string LeaseName { get; init; } = "eventide-operator";

    public string Identity { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that could not renew for this long stops acting before others may take over.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public int Workers { get; init; } = 2;

    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Resync when nothing else triggers a reconcile; lag polling uses the spec's interval instead.</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Overrides every pipeline's lag poll interval (tests).</summary>
    public TimeSpan? LagPollInterval { get; init; }

    public TimeSpan WatchErrorDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A reconcile still running after this long (an API request that never answers) is
    /// cancelled and retried with backoff, so one stuck request cannot stop a pipeline's lag
    /// polling and scaling for the client's 100 s request timeout.
    /// </summary>
    public TimeSpan ReconcileTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
