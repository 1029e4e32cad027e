namespace Eventide.Operator.Resources;

public sealed class RateLimitSpec
{
    /// <summary>Events per second per site.</summary>
    public int PerSecond { get; set; } = 1000;

    public int Burst { get; set; } = 2000;
}
