namespace Eventide.Core;

/// <summary>
/// Where a processor member listens for Akka.Remote and whom it joins
/// (<c>Eventide:Cluster:*</c>). Ingestion and query processes ignore it: they
/// are not cluster members.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>The host name or address other members reach this one at (its Akka address).</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address the remoting socket binds; empty binds <see cref="Hostname"/>. In a pod this is
    /// 0.0.0.0 while <see cref="Hostname"/> is the pod's stable DNS name, which may not resolve yet
    /// when the process starts.
    /// </summary>
    public string BindHostname { get; set; } = "";

    /// <summary>The remoting port; 0 picks a free one (only useful for a member that joins itself).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>Comma-separated <c>akka.tcp://eventide@host:port</c>; empty means the member joins itself.</summary>
    public string SeedNodes { get; set; } = "";

    /// <summary>Akka.Remote over TLS between members (<c>Eventide:Cluster:Tls:*</c>).</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    public const string TcpScheme = "akka.tcp://";

    public const string TlsScheme = "akka.ssl.tcp://";

    /// <summary>
    /// The seeds as Akka addresses. With TLS on, Akka's addresses are <c>akka.ssl.tcp://</c>: a seed
    /// written <c>akka.tcp://</c> is read as its TLS address, so the same seed list serves both.
    /// </summary>
    public IReadOnlyList<string> SeedNodeList =>
        [.. SeedNodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Tls.Enabled && s.StartsWith(TcpScheme, StringComparison.Ordinal) ? TlsScheme + s[TcpScheme.Length..] : s)];

    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Hostname))
        {
            return "Eventide:Cluster:Hostname must not be empty";
        }
        if (Port is < 0 or > 65535)
        {
            return $"Eventide:Cluster:Port must be between 0 and 65535, got {Port}";
        }
        foreach (var seed in SeedNodeList)
        {
            var scheme = Tls.Enabled ? TlsScheme : TcpScheme;
            if (!seed.StartsWith(scheme + "eventide@", StringComparison.Ordinal)
                || !Uri.TryCreate(seed, UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                return seed.StartsWith(TlsScheme, StringComparison.Ordinal) && !Tls.Enabled
                    ? $"Eventide:Cluster:SeedNodes: '{seed}' is a TLS address but Eventide:Cluster:Tls:Enabled is false"
                    : $"Eventide:Cluster:SeedNodes: '{seed}' is not of the form akka.tcp://eventide@host:port";
            }
        }
        return null;
    }
}
