using System.Text.Json.Nodes;
using Eventide.Operator.Kubernetes;

namespace Eventide.Operator.Tests.Kubernetes;

public class YamlJsonTests
{
    [Fact]
    public void ParseAll_resolves_plain_scalars_and_keeps_quoted_ones_strings()
    {
        var doc = YamlJson.ParseAll("a: 1\nb: \"1\"\nc: true\nd: 'true'\ne: ~\nf: 1.5\ng: 250m\nh: off\n")[0].AsObject();
        Assert.Equal(1, (long)doc["a"]!);
        Assert.Equal("1", (string)doc["b"]!);
        Assert.True((bool)doc["c"]!);
        Assert.Equal("true", (string)doc["d"]!);
        Assert.Null(doc["e"]);
        Assert.Equal(1.5, (double)doc["f"]!);
        Assert.Equal("250m", (string)doc["g"]!);
        Assert.Equal("off", (string)doc["h"]!);
    }

    [Fact]
    public void ParseAll_skips_empty_documents()
    {
        Assert.Equal(2, YamlJson.ParseAll("---\na: 1\n---\n---\nb: 2\n").Count);
    }

    [Fact]
    public void Write_quotes_strings_that_would_read_back_as_other_types()
    {
        var node = new JsonObject { ["n"] = "8080", ["b"] = "true", ["o"] = "off", ["e"] = "", ["s"] = "plain", ["i"] = 3 };
        var yaml = YamlJson.Write([node]);
        var back = YamlJson.ParseAll(yaml)[0];
        Assert.True(JsonNode.DeepEquals(node, back), yaml);
    }

    [Fact]
    public void Write_round_trips_nested_objects_arrays_and_multiline_strings()
    {
        var node = JsonNode.Parse("""{"a":{"b":[1,"x",{"c":null}],"d":[]},"m":"line1\nline2\n","q":"a: b","h":"#x"}""")!;
        var back = YamlJson.ParseAll(YamlJson.Write([node]))[0];
        Assert.True(JsonNode.DeepEquals(node, back));
    }
}
