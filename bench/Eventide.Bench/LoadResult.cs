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
        }
    }
}
