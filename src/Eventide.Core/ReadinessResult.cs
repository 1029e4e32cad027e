namespace Eventide.Core;

public sealed record ReadinessResult(bool Ready, string Detail);
