namespace Eventide.Operator.Resources;

public sealed class DatabaseSecretRef
{
    public string Name { get; set; } = "";

    /// <summary>Key holding the Npgsql connection string.</summary>
    public string Key { get; set; } = "connectionString";
}
