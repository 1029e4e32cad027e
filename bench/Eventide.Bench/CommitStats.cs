using System.Globalization;

namespace Eventide.Bench;

/// <summary>
/// Ingestion's group commits as its /metrics counts them (the sums and counts of
/// eventide_ingestion_commit_duration_seconds and _commit_batch_events): two readings give the
/// commits of a phase, their mean time and their mean size. At one event per request the rate
/// is at most connections ÷ the time a request waits for its commit, so these show the bound.
/// </summary>
public sealed record CommitStats(double Commits, double Seconds, double Events)
{
    public static async Task<CommitStats> ReadAsync(HttpClient http, Uri ingestion)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri(ingestion, "/metrics"));
            double Sum(string name) => text.Split('\n')
                .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
            return new CommitStats(Sum("eventide_ingestion_commit_duration_seconds_count"), Sum("eventide_ingestion_commit_duration_seconds_sum"),
                Sum("eventide_ingestion_commit_batch_events_sum"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            return new CommitStats(double.NaN, double.NaN, double.NaN);
        }
    }

    /// <summary>Mean commit time in ms and mean events per commit between <paramref name="earlier"/> and this reading.</summary>
    public (double MeanMs, double EventsPerCommit) Since(CommitStats earlier)
    {
        var commits = Commits - earlier.Commits;
        return commits > 0 ? ((Seconds - earlier.Seconds) * 1000 / commits, (Events - earlier.Events) / commits) : (double.NaN, double.NaN);
    }
}
