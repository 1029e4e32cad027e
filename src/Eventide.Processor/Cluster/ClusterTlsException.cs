namespace Eventide.Processor.Cluster;

/// <summary>The cluster TLS files are missing or do not fit together; the message is one line naming the setting.</summary>
public sealed class ClusterTlsException(string message, Exception? inner = null) : Exception(message, inner);
