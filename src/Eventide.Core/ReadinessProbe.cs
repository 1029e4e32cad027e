namespace Eventide.Core;

/// <summary>Runs a readiness check the way every probe does (/readyz, the gRPC health service).</summary>
public static class ReadinessProbe
{
    /// <summary>A check that hangs (a database that does not answer) counts as failing after this long.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static async Task<ReadinessResult> RunAsync(IReadinessCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            return await check.CheckAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReadinessResult(false, $"timed out after {Timeout.TotalSeconds} s");
        }
    }
}
