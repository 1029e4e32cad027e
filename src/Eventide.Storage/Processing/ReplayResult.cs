namespace Eventide.Storage.Processing;

/// <summary>What a replay did: the dead letters re-enqueued, those still invalid with their new error, and how many unreplayed remain.</summary>
public sealed record ReplayResult(IReadOnlyList<long> Replayed, IReadOnlyList<ReplayFailure> Failed, long Remaining);
