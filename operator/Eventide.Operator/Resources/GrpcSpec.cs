namespace Eventide.Operator.Resources;

/// <summary>gRPC ingestion (<c>spec.ingestion.grpc</c>): its own HTTP/2-only listener on the ingestion pods.</summary>
public sealed class GrpcSpec
{
    public bool Enabled { get; set; } = true;

    public int Port { get; set; } = 8081;

    /// <summary>Batches of one stream being committed or waiting for their ack to be sent.</summary>
    public int MaxInFlightBatches { get; set; } = 8;

    public GrpcIngressSpec Ingress { get; set; } = new();
}
