using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Eventide.Operator.Resources;
using k8s;
using k8s.Models;

namespace Eventide.Operator.Tests.Resources;

/// <summary>Keeps crds/eventpipelines.eventide.io.yaml in step with the C# types in Resources/.</summary>
public class CustomResourceDefinitionTests
{
    // Read through the client's typed CRD model and back to JSON: what the API server would see.
    private static readonly JsonObject Crd = JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(CustomResourceDefinition.Yaml)))!.AsObject();
    private static readonly JsonObject Version = Crd["spec"]!["versions"]![0]!.AsObject();
    private static readonly JsonObject Schema = Version["schema"]!["openAPIV3Schema"]!.AsObject();

    [Fact]
    public void Embedded_crd_is_the_file_in_crds()
    {
        Assert.Equal(File.ReadAllText(RepoPaths.Of("crds", "eventpipelines.eventide.io.yaml")), CustomResourceDefinition.Yaml);
    }

    [Fact]
    public void Schema_spec_matches_the_spec_type_field_for_field()
    {
        var problems = new List<string>();
        Compare(typeof(EventPipelineSpec), Schema["properties"]!["spec"]!.AsObject(), "spec", problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void Schema_status_matches_the_status_type_field_for_field()
    {
        var problems = new List<string>();
        Compare(typeof(EventPipelineStatus), Schema["properties"]!["status"]!.AsObject(), "status", problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void Schema_defaults_equal_the_type_defaults()
    {
        var problems = new List<string>();
        CompareDefaults(JsonNode.Parse(KubernetesJson.Serialize(new EventPipelineSpec()))!.AsObject(), Schema["properties"]!["spec"]!.AsObject(), "spec", problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void Shards_is_immutable_by_a_transition_rule_without_optional_old_self()
    {
        var shards = Schema["properties"]!["spec"]!["properties"]!["shards"]!;
        Assert.Contains(shards["x-kubernetes-validations"]!.AsArray(), v => (string?)v!["rule"] == "self == oldSelf");
        Assert.DoesNotContain("optionalOldSelf", CustomResourceDefinition.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Replica_rules_bound_min_by_max_and_max_by_shards()
    {
        var spec = Schema["properties"]!["spec"]!;
        Assert.Contains(spec["x-kubernetes-validations"]!.AsArray(), v => (string?)v!["rule"] == "self.processor.maxReplicas <= self.shards");
        Assert.Contains(spec["properties"]!["processor"]!["x-kubernetes-validations"]!.AsArray(), v => (string?)v!["rule"] == "self.minReplicas <= self.maxReplicas");
    }

    [Fact]
    public void Crd_has_status_subresource_short_name_and_printer_columns()
    {
        Assert.NotNull(Version["subresources"]?["status"]);
        Assert.Equal("evp", (string?)Crd["spec"]!["names"]!["shortNames"]![0]);
        var columns = Version["additionalPrinterColumns"]!.AsArray().Select(c => (string?)c!["name"]).ToList();
        Assert.Equal(["Ready", "Lag", "Processors", "Age"], columns);
        Assert.Equal($"{EventPipeline.Plural}.{EventPipeline.Group}", (string?)Crd["metadata"]!["name"]);
        Assert.Equal(EventPipeline.Version, (string?)Version["name"]);
    }

    private static void Compare(Type type, JsonObject schema, string at, List<string> problems)
    {
        var props = schema["properties"]?.AsObject() ?? [];
        var clrProps = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is not { Condition: System.Text.Json.Serialization.JsonIgnoreCondition.Always })
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        foreach (var name in clrProps.Keys.Where(n => !props.ContainsKey(n)))
        {
            problems.Add($"{at}.{name} is in {type.Name} but not in the CRD");
        }
        foreach (var (name, sub) in props)
        {
            if (!clrProps.TryGetValue(name, out var prop))
            {
                problems.Add($"{at}.{name} is in the CRD but not in {type.Name}");
                continue;
            }
            var clr = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            var expected = SchemaType(clr);
            var actual = (string?)sub!["type"];
            if (expected != actual)
            {
                problems.Add($"{at}.{name}: CRD type {actual}, C# {clr.Name} ({expected})");
            }
            if (clr == typeof(int) && (string?)sub["format"] != "int32" || clr == typeof(long) && (string?)sub["format"] != "int64")
            {
                problems.Add($"{at}.{name}: CRD format {(string?)sub["format"]} does not fit C# {clr.Name}");
            }
            if (expected == "object" && !IsDictionary(clr))
            {
                Compare(clr, sub.AsObject(), $"{at}.{name}", problems);
            }
            if (expected == "array" && clr.IsGenericType)
            {
                Compare(clr.GetGenericArguments()[0], sub["items"]!.AsObject(), $"{at}.{name}[]", problems);
            }
        }
    }

    private static void CompareDefaults(JsonObject value, JsonObject schema, string at, List<string> problems)
    {
        foreach (var (name, sub) in schema["properties"]?.AsObject() ?? [])
        {
            var actual = value[name];
            if (sub!["default"] is JsonValue d && !JsonNode.DeepEquals(d, actual))
            {
                problems.Add($"{at}.{name}: CRD default {d.ToJsonString()}, C# default {actual?.ToJsonString() ?? "null"}");
            }
            if (sub["default"] is null && sub["type"]?.GetValue<string>() is "integer" or "boolean" or "number" && actual is not null
                && !(actual is JsonValue v && v.GetValueKind() is JsonValueKind.False or JsonValueKind.Number && v.ToJsonString() is "false" or "0"))
            {
                problems.Add($"{at}.{name}: C# has default {actual.ToJsonString()}, the CRD none");
            }
            if (actual is JsonObject child && (string?)sub["type"] == "object")
            {
                CompareDefaults(child, sub.AsObject(), $"{at}.{name}", problems);
            }
        }
    }

    private static string SchemaType(Type t) =>
        t == typeof(string) ? "string"
        : t == typeof(int) || t == typeof(long) ? "integer"
        : t == typeof(double) ? "number"
        : t == typeof(bool) ? "boolean"
        : t != typeof(string) && typeof(IEnumerable).IsAssignableFrom(t) && !IsDictionary(t) ? "array"
        : "object";

    private static bool IsDictionary(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>);
}
