using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Desired;

public class ConfigMapBuilderTests
{
    [Fact]
    public void Build_renders_the_spec_as_the_data_plane_environment()
    {
        var data = ConfigMapBuilder.Build(Pipelines.Build(s => s.Shards = 16)).Data;
        Assert.Equal("required", data["Eventide__Database__Timescale"]);
        Assert.Equal("16", data["Eventide__Shards"]);
    }

    [Fact]
    public void Build_renders_the_grpc_listener_on_every_address_or_off()
    {
        var data = ConfigMapBuilder.Build(Pipelines.Build(s => { s.Ingestion.Grpc.Port = 9000; s.Ingestion.Grpc.MaxInFlightBatches = 4; })).Data;
        Assert.Equal("http://0.0.0.0:9000", data["Eventide__Ingestion__GrpcListen"]);
        Assert.Equal("4", data["Eventide__Ingestion__GrpcMaxInFlightBatches"]);
        Assert.Equal("off", ConfigMapBuilder.Build(Pipelines.Build(s => s.Ingestion.Grpc.Enabled = false)).Data["Eventide__Ingestion__GrpcListen"]);
    }
}
