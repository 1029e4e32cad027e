namespace Eventide.Bench;

public static class Percentiles
{
    /// <summary>Nearest-rank percentile of unsorted samples, in the samples' unit; NaN when empty.</summary>
    public static double Of(List<double> samples, double p)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
