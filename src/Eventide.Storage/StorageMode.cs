namespace Eventide.Storage;

/// <summary>The storage mode a database was migrated in; fixed once chosen.</summary>
public enum StorageMode
{
    Plain,
    Timescale,
}
