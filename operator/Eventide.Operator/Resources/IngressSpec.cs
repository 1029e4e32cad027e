namespace Eventide.Operator.Resources;

public sealed class IngressSpec
{
    public bool Enabled { get; set; }

    public string? Host { get; set; }

    public string? ClassName { get; set; }

    /// <summary>Secret with the TLS certificate for <see cref="Host"/>; no TLS when absent.</summary>
    public string? TlsSecretName { get; set; }
}
