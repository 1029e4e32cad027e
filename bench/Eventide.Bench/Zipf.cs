namespace Eventide.Bench;

// Compiled into tests/Eventide.Testing too (the test dataset): one sampler for both.
/// <summary>Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s.</summary>
public sealed class Zipf
{
    private readonly double[] _cumulative;

    public Zipf(int n, double s)
    {
        _cumulative = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += 1.0 / Math.Pow(i + 1, s);
            _cumulative[i] = sum;
        }
        for (var i = 0; i < n; i++)
        {
            _cumulative[i] /= sum;
        }
    }

    public int Next(Random random)
    {
        var u = random.NextDouble();
        var i = Array.BinarySearch(_cumulative, u);
        return Math.Min(i >= 0 ? i : ~i, _cumulative.Length - 1);
    }
}
