namespace Eventide.Bench;

public sealed class LoadResult
{
    public long Requests;
    public long AcceptedEvents;
    public long SentEvents;
    public long Failures;

    /// <summary>Closed loop: the 503s with Retry-After a worker waited out before its next request.</summary>
    public long RetryAfterWaits;
    public readonly Dictionary<int, long> ByStatus = [];

    /// <summary>The first message answered with each refusing status (the gRPC runner fills it).</summary>
    public readonly Dictionary<int, string> FirstMessage = [];
    public readonly List<double> LatenciesMs = [];

    /// <summary>Open loop: how late each request left against its intended send time (the generator's own delay, inside the latency).</summary>
    public readonly List<double> SendLateMs = [];

    /// <summary>Acknowledgements slower than <see cref="SlowMs"/> by the second of the load they were due in (open loop only).</summary>
    public readonly Dictionary<int, int> SlowBySecond = [];

    public const double SlowMs = 25;
    public double Seconds;

    public double EventsPerSecond => AcceptedEvents / Seconds;

    public double RequestsPerSecond => Requests / Seconds;

    public void Merge(LoadResult other)
    {
        lock (this)
        {
            Requests += other.Requests;
            AcceptedEvents += other.AcceptedEvents;
            SentEvents += other.SentEvents;
            Failures += other.Failures;
            RetryAfterWaits += other.RetryAfterWaits;
            foreach (var (k, v) in other.ByStatus)
            {
                ByStatus[k] = ByStatus.GetValueOrDefault(k) + v;
            }
            foreach (var (k, v) in other.FirstMessage)
            {
                FirstMessage.TryAdd(k, v);
            }
            LatenciesMs.AddRange(other.LatenciesMs);
            foreach (var (k, v) in other.SlowBySecond)
            {
                SlowBySecond[k] = SlowBySecond.GetValueOrDefault(k) + v;
            }
            SendLateMs.AddRange(other.SendLateMs);
        }
    }
}
