namespace Eventide.Reliability.Tests.Harness;

/// <summary>A hard time limit for a whole test, on top of its own bounded waits.</summary>
public static class Bounded
{
    public static async Task RunAsync(TimeSpan limit, Func<Task> test)
    {
        try
        {
            await test().WaitAsync(limit);
        }
        catch (TimeoutException ex) when (ex.InnerException is null && ex.Message.StartsWith("The operation has timed out", StringComparison.Ordinal))
        {
            throw new TimeoutException($"The test did not finish within its limit of {limit.TotalSeconds} s", ex);
        }
    }
}
