namespace Eventide.Bench;

public sealed class Args
{
    public string ConnectionString { get; private set; } = "";
    public Uri Ingest { get; private set; } = new("http://127.0.0.1:8081");
    public Dictionary<string, int> Pids { get; } = [];
    public string Out { get; private set; } = "bench/results";
    public int Sites { get; private set; } = 1000;
    public int Connections { get; private set; } = 32;
    public bool Quick { get; private set; }
    public string Machine { get; private set; } = "";

    /// <summary>Profiling mode: only the warm-up and a fixed-rate phase at this many events/s, then a latency summary.</summary>
    public double? OnlyRate { get; private set; }

    public int OnlySeconds { get; private set; } = 30;

    /// <summary>With a value: the soak run (Soak.cs) instead of the benchmark.</summary>
    public double SoakMinutes { get; private set; }

    /// <summary>Soak rate in events/s; default half the measured maximum.</summary>
    public double? Rate { get; private set; }

    public double SampleSeconds { get; private set; } = 30;

    /// <summary>The ingestion role's gRPC address (Eventide__Ingestion__GrpcListen).</summary>
    public Uri? Grpc { get; private set; }

    /// <summary>Only the HTTP vs gRPC comparison (GrpcComparison.cs) after the warm-up.</summary>
    public bool GrpcCompare { get; private set; }

    /// <summary>Only batch 1 at 32 and 256 connections from the bench's generator and from wrk (WrkComparison.cs).</summary>
    public bool WrkCompare { get; private set; }

    /// <summary>
    /// --only query | live: run that benchmark alone (QueryBench, LiveBench); --only horizontal | sites | wrk:
    /// the warm-up and that phase of the default run alone.
    /// </summary>
    public string? Only { get; private set; }

    public Uri Query { get; private set; } = new("http://127.0.0.1:8083");

    /// <summary>The processor scripts/bench started (its /metrics and /v1/admin/cluster).</summary>
    public Uri Processor { get; private set; } = new("http://127.0.0.1:8082");

    /// <summary>The eventide binary, for the processors the horizontal phase adds.</summary>
    public string? EventideDll { get; private set; }

    /// <summary>The first processor's Akka address, which the added processors join.</summary>
    public string? ClusterSeed { get; private set; }

    public string AdminToken { get; private set; } = "bench-admin";

    /// <summary>
    /// A second database of the same server, migrated in Timescale mode (scripts/bench passes it when
    /// TimescaleDB is installed for the server): the TimescaleDB phase starts its own ingestion and
    /// processor against it. Without it that phase is reported as not measured.
    /// </summary>
    public string? TimescaleConnectionString { get; private set; }

    /// <summary>The horizontal curve runs 1 … this many processors.</summary>
    public int MaxProcessors { get; private set; } = 3;

    /// <summary>Sites of the scale-of-sites phase.</summary>
    public int ScaleSites { get; private set; } = 100_000;

    /// <summary>The processor's Eventide:Processor:SitePassivationSeconds (scripts/bench sets both).</summary>
    public int SitePassivationSeconds { get; private set; } = 300;

    /// <summary>The processor's Eventide:Processor:MaxActiveSites, 0 for no limit (scripts/bench sets both).</summary>
    public int MaxActiveSites { get; private set; } = 10_000;
    public int QueryEvents { get; private set; } = 5_000_000;
    public int QueryRepeats { get; private set; } = 20;
    public int LiveSubscribers { get; private set; } = 10_000;
    public int LiveSeconds { get; private set; } = 30;

    /// <summary>
    /// Keep each phase's events and backlog for the next (as before 2026-12-01's phase
    /// reordering) instead of emptying the pipeline tables: the phases then wait for the backlog
    /// to drain and the refresher to recompute it, and their figures include what the earlier
    /// phases left in the events table.
    /// </summary>
    public bool KeepData { get; private set; }

    /// <summary>
    /// The inbox high-water mark of the end-to-end phases' ingestion, in events: the inbox fills
    /// to it, then ingestion refuses with Retry-After and the clients pause (EndToEnd).
    /// </summary>
    public long E2eHighWater { get; private set; } = 1_000_000;

    public static Args Parse(string[] args)
    {
        var a = new Args();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--pg": a.ConnectionString = Next(); break;
                case "--ingest": a.Ingest = new Uri(Next()); break;
                case "--pid":
                    var kv = Next().Split('=', 2);
                    a.Pids[kv[0]] = int.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--out": a.Out = Next(); break;
                case "--sites": a.Sites = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--connections": a.Connections = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--machine": a.Machine = Next(); break;
                case "--quick": a.Quick = true; break;
                case "--keep-data": a.KeepData = true; break;
                case "--e2e-high-water": a.E2eHighWater = long.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--only-rate": a.OnlyRate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--only-seconds": a.OnlySeconds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--soak-minutes": a.SoakMinutes = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--rate": a.Rate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--sample-seconds": a.SampleSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--grpc": a.Grpc = new Uri(Next()); break;
                case "--grpc-compare": a.GrpcCompare = true; break;
                case "--wrk-compare": a.WrkCompare = true; break;
                case "--only": a.Only = Next(); break;
                case "--query": a.Query = new Uri(Next()); break;
                case "--processor": a.Processor = new Uri(Next()); break;
                case "--eventide-dll": a.EventideDll = Next(); break;
                case "--cluster-seed": a.ClusterSeed = Next(); break;
                case "--admin-token": a.AdminToken = Next(); break;
                case "--timescale-pg": a.TimescaleConnectionString = Next(); break;
                case "--processors": a.MaxProcessors = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--scale-sites": a.ScaleSites = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--site-passivation": a.SitePassivationSeconds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--max-active-sites": a.MaxActiveSites = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--query-events": a.QueryEvents = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--query-repeats": a.QueryRepeats = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--live-subscribers": a.LiveSubscribers = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--live-seconds": a.LiveSeconds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return a.ConnectionString.Length > 0 ? a : throw new ArgumentException("--pg is required");
    }
}
