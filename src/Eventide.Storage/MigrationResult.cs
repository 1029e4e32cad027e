namespace Eventide.Storage;

public sealed record MigrationResult(StorageMode Mode, int Version, int Applied, int Shards);
