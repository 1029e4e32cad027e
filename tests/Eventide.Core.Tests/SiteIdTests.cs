using Eventide.Core;

namespace Eventide.Core.Tests;

public class SiteIdTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("my-site.example_1", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/no", false)]
    [InlineData("ünicode", false)]
    public void IsValid_follows_the_contract(string value, bool valid)
    {
        Assert.Equal(valid, SiteId.IsValid(value));
    }

    [Fact]
    public void IsValid_limits_length_to_64()
    {
        Assert.True(SiteId.IsValid(new string('a', 64)));
        Assert.False(SiteId.IsValid(new string('a', 65)));
    }
}
