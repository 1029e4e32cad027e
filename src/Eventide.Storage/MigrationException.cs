namespace Eventide.Storage;

/// <summary>The database cannot be brought to the wanted schema; the message says why.</summary>
public sealed class MigrationException(string message) : Exception(message);
