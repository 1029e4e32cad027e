namespace Eventide.Operator.Resources;

/// <summary>The NetworkPolicies around a pipeline's pods (<c>spec.networkPolicies</c>).</summary>
public sealed class NetworkPoliciesSpec
{
    /// <summary>On by default; false deletes the policies.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Namespace of Prometheus: it may scrape every pod's metrics port.</summary>
    public string MonitoringNamespace { get; set; } = "monitoring";

    /// <summary>Namespace of the ingress controller: it may reach the query port.</summary>
    public string IngressNamespace { get; set; } = "ingress-nginx";

    /// <summary>Namespace of the operator's pods: they read lag and status over the pods' HTTP port.</summary>
    public string OperatorNamespace { get; set; } = "eventide-system";

    /// <summary>The database's TCP port. The connection string is a Secret the operator does not parse, so the port is given here.</summary>
    public int DatabasePort { get; set; } = 5432;

    /// <summary>Where the database is, as a CIDR; absent allows any destination on <see cref="DatabasePort"/>.</summary>
    public string? DatabaseCidr { get; set; }
}
