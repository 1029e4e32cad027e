namespace Eventide.Operator.Resources;

public sealed class DatabaseSpec
{
    /// <summary>Secret with the Npgsql connection string.</summary>
    public DatabaseSecretRef SecretRef { get; set; } = new();

    /// <summary><c>required</c>, <c>auto</c> or <c>off</c>; Kubernetes deployments use <c>required</c>.</summary>
    public string Timescale { get; set; } = "required";
}
