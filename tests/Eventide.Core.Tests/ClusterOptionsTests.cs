using Eventide.Core;

namespace Eventide.Core.Tests;

public class ClusterOptionsTests
{
    [Fact]
    public void SeedNodeList_reads_tcp_seeds_as_tls_addresses_when_tls_is_on()
    {
        var options = new ClusterOptions
        {
            SeedNodes = "akka.tcp://eventide@p-0.processors:4053, akka.ssl.tcp://eventide@p-1.processors:4053",
            Tls = new ClusterTlsOptions { Enabled = true },
        };
        Assert.Equal(["akka.ssl.tcp://eventide@p-0.processors:4053", "akka.ssl.tcp://eventide@p-1.processors:4053"], options.SeedNodeList);
        Assert.Null(options.Validate());
    }

    [Fact]
    public void SeedNodeList_keeps_tcp_seeds_when_tls_is_off()
    {
        var options = new ClusterOptions { SeedNodes = "akka.tcp://eventide@p-0.processors:4053" };
        Assert.Equal(["akka.tcp://eventide@p-0.processors:4053"], options.SeedNodeList);
        Assert.Null(options.Validate());
    }

    [Fact]
    public void Validate_rejects_a_tls_seed_when_tls_is_off_naming_the_setting()
    {
        var error = new ClusterOptions { SeedNodes = "akka.ssl.tcp://eventide@p-0.processors:4053" }.Validate();
        Assert.NotNull(error);
        Assert.Contains("Eventide:Cluster:Tls:Enabled", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("akka.tcp://other@p-0:4053")]
    [InlineData("http://p-0:4053")]
    [InlineData("akka.tcp://eventide@p-0")]
    public void Validate_rejects_seeds_of_another_form(string seed)
    {
        var error = new ClusterOptions { SeedNodes = seed }.Validate();
        Assert.NotNull(error);
        Assert.Contains("Eventide:Cluster:SeedNodes", error, StringComparison.Ordinal);
    }
}
