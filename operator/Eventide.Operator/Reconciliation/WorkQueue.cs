namespace Eventide.Operator.Reconciliation;

/// <summary>
/// A level-triggered work queue of object keys, after client-go's: a key is
/// queued at most once however often it changes; a key being processed is not
/// handed to a second worker, and if it changed meanwhile it is queued again
/// when the first finishes. Failures come back with per-key exponential backoff.
/// Delayed adds follow client-go's delaying queue: at most one pending delayed
/// add per key, due at the earliest time asked for, so a key whose reconcile
/// is requeued on every event still comes back once per period, not once per event.
/// </summary>
public sealed class WorkQueue(TimeSpan backoffBase, TimeSpan backoffMax, TimeProvider clock) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _dirty = [];
    private readonly HashSet<string> _processing = [];
    private readonly Dictionary<string, int> _failures = [];
    private readonly SemaphoreSlim _available = new(0);
    private readonly Dictionary<string, (DateTimeOffset Due, ITimer Timer)> _waiting = [];
    private bool _disposed;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var (_, timer) in _waiting.Values)
            {
                timer.Dispose();
            }
            _waiting.Clear();
        }
        _available.Dispose();
    }

    public void Add(string key)
    {
        lock (_gate)
        {
            if (_disposed || !_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }
            _queue.Enqueue(key);
        }
        _available.Release();
    }

    /// <summary>Queues the key after a delay (periodic resync, such as lag polling).</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        var due = clock.GetUtcNow() + delay;
        lock (_gate)
        {
            if (_disposed || (_waiting.TryGetValue(key, out var pending) && pending.Due <= due))
            {
                // Already due no later than asked: one pending add is enough.
                return;
            }
            pending.Timer?.Dispose();
            var timer = clock.CreateTimer(_ => Fire(key, due), null, delay, Timeout.InfiniteTimeSpan);
            _waiting[key] = (due, timer);
        }
    }

    /// <summary>Keys waiting for a delayed add.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    private void Fire(string key, DateTimeOffset due)
    {
        lock (_gate)
        {
            // A timer replaced by an earlier one may still fire once; only the current one counts.
            if (!_waiting.TryGetValue(key, out var pending) || pending.Due != due)
            {
                return;
            }
            _waiting.Remove(key);
            pending.Timer.Dispose();
        }
        Add(key);
    }

    /// <summary>Queues the key again after its next backoff delay, and returns that delay.</summary>
    public TimeSpan AddRateLimited(string key)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }
        var delay = TimeSpan.FromTicks((long)Math.Min(backoffMax.Ticks, backoffBase.Ticks * Math.Pow(2, Math.Min(failures, 30))));
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets the key's backoff after a success.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(string key)
    {
        lock (_gate)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key; the caller must call <see cref="Done"/> with it.</summary>
    public async Task<string> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            await _available.WaitAsync(ct);
            lock (_gate)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    public void Done(string key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (!_dirty.Contains(key))
            {
                return;
            }
            // Changed while it was being processed: its turn comes again.
            _queue.Enqueue(key);
        }
        _available.Release();
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }
}
