namespace Eventide.Core;

public sealed class IngestionOptions
{
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    public int MaxEventsPerRequest { get; set; } = 1000;

    public int MaxEventBytes { get; set; } = 32 * 1024;

    public int MaxPropertiesBytes { get; set; } = 16 * 1024;

    public int MaxPropertiesDepth { get; set; } = 8;

    public int MaxFutureSkewMinutes { get; set; } = 60;

    /// <summary>Sustained events per second per site; 0 disables rate limiting.</summary>
    public double RateLimitPerSecond { get; set; } = 5000;

    public double RateLimitBurst { get; set; } = 20000;

    /// <summary>
    /// How long a request waits (key lookup included) for its group commit before it
    /// is answered 503. With the 200 ms allowed for a COMMIT already sent (and at least
    /// 100 ms for the commit after a slow key lookup), a slow or dead database never
    /// holds a client for 1 s.
    /// </summary>
    public int CommitTimeoutMs { get; set; } = 500;

    /// <summary>Events accepted but not yet committed, across all requests; beyond it requests get 503 at once.</summary>
    public int MaxBufferedEvents { get; set; } = 100_000;

    /// <summary>Most events one group-commit transaction takes.</summary>
    public int MaxCommitBatchEvents { get; set; } = 20_000;

    /// <summary>
    /// Group-commit transactions one instance runs at once, each on its own connection. One at a
    /// time caps throughput at (events per commit ÷ commit latency); several in flight let
    /// PostgreSQL flush their commit records with one WAL fsync, while each group is still
    /// answered only after its own COMMIT. Each takes a pooled connection.
    /// </summary>
    public int MaxConcurrentCommits { get; set; } = 8;

    /// <summary>
    /// Events waiting in the inbox (all shards) beyond which intake answers 503 with Retry-After
    /// instead of filling the database's disk; 0 turns the limit off. The default is about an
    /// hour of what one processor stores on a small machine, and a few GB of inbox.
    /// </summary>
    public long InboxHighWater { get; set; } = 20_000_000;

    /// <summary>Age in seconds of the oldest waiting inbox event beyond which intake answers 503; 0 (the default) turns it off.</summary>
    public int InboxHighWaterAgeSeconds { get; set; }

    /// <summary>How often each ingestion instance reads the inbox's size for the high-water mark, in milliseconds.</summary>
    public int InboxHighWaterRefreshMs { get; set; } = 1000;

    /// <summary>True when either high-water limit is set.</summary>
    public bool InboxHighWaterEnabled => InboxHighWater > 0 || InboxHighWaterAgeSeconds > 0;

    /// <summary>Seconds between inbox slot rotations; 0 disables rotation (and the inbox then bloats).</summary>
    public int InboxRotationSeconds { get; set; } = 30;

    /// <summary>
    /// Address of the gRPC listener (cleartext HTTP/2 only, so it cannot share the HTTP port);
    /// empty or "off" disables gRPC. Served by the ingestion role only.
    /// </summary>
    public string GrpcListen { get; set; } = "http://127.0.0.1:8081";

    /// <summary>Batches of one gRPC stream being committed or waiting for their ack to be sent; bounds a stream's memory.</summary>
    public int GrpcMaxInFlightBatches { get; set; } = 8;

    /// <summary>True when <see cref="GrpcListen"/> asks for a gRPC listener.</summary>
    public bool GrpcEnabled => !string.IsNullOrWhiteSpace(GrpcListen) && !GrpcListen.Trim().Equals("off", StringComparison.OrdinalIgnoreCase);

    public string? Validate()
    {
        if (MaxBodyBytes < 1024 || MaxEventsPerRequest < 1 || MaxEventBytes < 256)
        {
            return "Eventide:Ingestion limits must be positive (MaxBodyBytes >= 1024, MaxEventsPerRequest >= 1, MaxEventBytes >= 256)";
        }
        if (MaxPropertiesBytes < 2 || MaxPropertiesDepth < 1 || MaxFutureSkewMinutes < 0)
        {
            return "Eventide:Ingestion:MaxPropertiesBytes must be >= 2, MaxPropertiesDepth >= 1 and MaxFutureSkewMinutes >= 0";
        }
        if (CommitTimeoutMs is < 100 or > 750)
        {
            return $"Eventide:Ingestion:CommitTimeoutMs must be between 100 and 750 (requests must be answered within 1 s), got {CommitTimeoutMs}";
        }
        if (MaxBufferedEvents < MaxEventsPerRequest || MaxCommitBatchEvents < MaxEventsPerRequest)
        {
            return "Eventide:Ingestion:MaxBufferedEvents and MaxCommitBatchEvents must be at least MaxEventsPerRequest";
        }
        if (MaxConcurrentCommits is < 1 or > 64)
        {
            return $"Eventide:Ingestion:MaxConcurrentCommits must be between 1 and 64, got {MaxConcurrentCommits}";
        }
        if (InboxHighWater < 0 || InboxHighWaterAgeSeconds < 0)
        {
            return "Eventide:Ingestion:InboxHighWater and InboxHighWaterAgeSeconds must not be negative (0 turns each off)";
        }
        if (InboxHighWaterRefreshMs is < 100 or > 60_000)
        {
            return $"Eventide:Ingestion:InboxHighWaterRefreshMs must be between 100 and 60000, got {InboxHighWaterRefreshMs}";
        }
        if (InboxRotationSeconds < 0)
        {
            return "Eventide:Ingestion:InboxRotationSeconds must not be negative (0 disables rotation)";
        }
        if (GrpcMaxInFlightBatches is < 1 or > 1024)
        {
            return $"Eventide:Ingestion:GrpcMaxInFlightBatches must be between 1 and 1024, got {GrpcMaxInFlightBatches}";
        }
        if (GrpcEnabled && !(Uri.TryCreate(GrpcListen.Trim(), UriKind.Absolute, out var grpc) && grpc.Scheme is "http" or "https"))
        {
            return $"Eventide:Ingestion:GrpcListen must be an http:// or https:// address, empty or off, got '{GrpcListen}'";
        }
        if (RateLimitPerSecond < 0 || RateLimitBurst < 0)
        {
            return "Eventide:Ingestion:RateLimitPerSecond and RateLimitBurst must not be negative";
        }
        return null;
    }
}
