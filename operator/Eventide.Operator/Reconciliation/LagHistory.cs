using Eventide.Operator.Autoscaling;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// Recent lag samples per pipeline, kept in memory like the HPA keeps its
/// recommendations. A new leader starts with none, so it cannot scale down
/// before it has watched a whole stabilization window itself.
/// </summary>
public sealed class LagHistory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<LagSample>> _samples = [];

    public IReadOnlyList<LagSample> Add(string key, LagSample sample, TimeSpan keep)
    {
        lock (_gate)
        {
            if (!_samples.TryGetValue(key, out var list))
            {
                _samples[key] = list = [];
            }
            list.Add(sample);
            // Keep one sample older than the window: it proves the window is covered.
            var cutoff = sample.Time - keep;
            var firstInside = list.FindIndex(s => s.Time >= cutoff);
            if (firstInside > 1)
            {
                list.RemoveRange(0, firstInside - 1);
            }
            return [.. list];
        }
    }

    public IReadOnlyList<LagSample> Get(string key)
    {
        lock (_gate)
        {
            return _samples.TryGetValue(key, out var list) ? [.. list] : [];
        }
    }

    public void Remove(string key)
    {
        lock (_gate)
        {
            _samples.Remove(key);
        }
    }
}
