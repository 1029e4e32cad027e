namespace Eventide.Storage;

/// <summary>What a migration left: the mode, the schema version, how many migrations ran now, the shards,
/// and a warning for the operator when the mode fell back (null otherwise).</summary>
public sealed record MigrationResult(StorageMode Mode, int Version, int Applied, int Shards, string? Warning = null);
