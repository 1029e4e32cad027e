namespace Eventide.Bench;

public sealed class LoadResult
{
    public long Requests;
    public long AcceptedEvents;
    public long SentEvents;
    public long Failures;
    public readonly Dictionary<int, long> ByStatus = [];

    /// <summary>The first message answered with each refusing status (the gRPC runner fills it).</summary>
    public readonly Dictionary<int, string> FirstMessage = [];
    public readonly List<double> LatenciesMs = [];

    /// <summary>Open loop: how late each request left against its intended send time (the generator's own delay, inside the latency).</summary>
    public readonly List<double> SendLateMs = [];
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
            foreach (var (k, v) in other.ByStatus)
            {
                ByStatus[k] = ByStatus.GetValueOrDefault(k) + v;
            }
            foreach (var (k, v) in other.FirstMessage)
            {
                FirstMessage.TryAdd(k, v);
            }
            LatenciesMs.AddRange(other.LatenciesMs);
            SendLateMs.AddRange(other.SendLateMs);
        }
    }
}
