using Eventide.Operator.Desired;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using k8s;

namespace Eventide.Operator;

/// <summary>What <c>eventide-operator render</c> does, without the console.</summary>
public static class Rendering
{
    private static readonly Dictionary<string, Type> Types = new() { [$"{EventPipeline.ApiVersionValue}/{EventPipeline.KindValue}"] = typeof(EventPipeline) };

    /// <summary>Renders every EventPipeline in a YAML stream to the objects the operator would apply.</summary>
    /// <exception cref="FormatException">When a document is not a valid EventPipeline.</exception>
    public static string Render(string yaml, ObservedState observed)
    {
        var output = new List<object>();
        foreach (var pipeline in Parse(yaml))
        {
            var errors = EventPipelineValidator.Validate(pipeline);
            if (errors.Count > 0)
            {
                throw new FormatException($"EventPipeline {pipeline.Name}: {string.Join("; ", errors)}.");
            }
            output.AddRange(PipelineSteps.All.Select(s => s.Build(pipeline, observed)).OfType<object>());
        }
        return KubernetesYaml.SerializeAll(output);
    }

    /// <summary>Every EventPipeline of a YAML stream.</summary>
    /// <exception cref="FormatException">When a document is not an EventPipeline or not valid YAML for one.</exception>
    public static IReadOnlyList<EventPipeline> Parse(string yaml)
    {
        List<object> docs;
        try
        {
            docs = KubernetesYaml.LoadAllFromString(yaml, Types);
        }
        catch (Exception e) when (e is KeyNotFoundException or YamlDotNet.Core.YamlException or InvalidCastException)
        {
            throw new FormatException($"Every document must be an EventPipeline ({e.Message}).", e);
        }
        return docs.Select(d => d as EventPipeline ?? throw new FormatException("Every document must be an EventPipeline.")).ToList();
    }
}
