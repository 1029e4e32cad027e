namespace Eventide.Operator.Resources;

/// <summary>How processor members form their Akka.NET cluster (<c>spec.processor.cluster</c>).</summary>
public sealed class ClusterSpec
{
    public ClusterTlsSpec Tls { get; set; } = new();
}
