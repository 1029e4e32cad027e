namespace Eventide.Storage.Processing;

/// <summary>A dead letter a replay left in place, with the reason it is still invalid.</summary>
public sealed record ReplayFailure(long Id, string Error);
