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
}
