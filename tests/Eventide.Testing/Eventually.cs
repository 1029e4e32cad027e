namespace Eventide.Testing;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}; last value: {value}");
            }
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        WaitAsync(condition, ok => ok, timeout, what);

    /// <summary>For a condition on in-memory state (a fake API server's objects): 20 s unless told.</summary>
    public static Task True(Func<bool> condition, string what, TimeSpan? within = null) =>
        WaitAsync(() => Task.FromResult(condition()), within ?? TimeSpan.FromSeconds(20), what);
}
