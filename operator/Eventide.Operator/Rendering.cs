using System.Text.Json.Nodes;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;

namespace Eventide.Operator;

/// <summary>What <c>eventide-operator render</c> does, without the console.</summary>
public static class Rendering
{
    /// <summary>Renders every EventPipeline in a YAML stream to the objects the operator would apply.</summary>
    /// <exception cref="FormatException">When a document is not a valid EventPipeline.</exception>
    public static string Render(string yaml, ObservedState observed)
    {
        var output = new List<JsonNode>();
        foreach (var doc in YamlJson.ParseAll(yaml))
        {
            if (doc is not JsonObject obj || (string?)obj["kind"] != EventPipeline.KindValue)
            {
                throw new FormatException("Every document must be an EventPipeline.");
            }
            var pipeline = Json.Deserialize<EventPipeline>(obj);
            var errors = EventPipelineValidator.Validate(pipeline);
            if (errors.Count > 0)
            {
                throw new FormatException($"EventPipeline {pipeline.Name}: {string.Join("; ", errors)}.");
            }
            output.AddRange(DesiredObjects.Build(pipeline, observed));
        }
        return YamlJson.Write(output);
    }
}
