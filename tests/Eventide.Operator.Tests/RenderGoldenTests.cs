using Eventide.Operator.Desired;

namespace Eventide.Operator.Tests;

/// <summary>
/// `render` output for every sample, compared with Golden/*.rendered.yaml.
/// After an intended change, regenerate with EVENTIDE_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public class RenderGoldenTests
{
    [Theory]
    [InlineData("minimal")]
    [InlineData("complete")]
    [InlineData("keda")]
    public void Render_of_sample_matches_golden_file(string sample)
    {
        var input = File.ReadAllText(RepoPaths.Of("k8s", "samples", sample + ".yaml"));
        var actual = Rendering.Render(input, new ObservedState(ServiceMonitorAvailable: true));
        var golden = RepoPaths.Of("tests", "Eventide.Operator.Tests", "Golden", sample + ".rendered.yaml");
        if (Environment.GetEnvironmentVariable("EVENTIDE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, actual);
        }
        Assert.True(File.Exists(golden), $"{golden} is missing; run with EVENTIDE_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal(File.ReadAllText(golden), actual);
    }

    [Fact]
    public void Render_of_invalid_pipeline_names_every_problem()
    {
        const string yaml = """
            apiVersion: eventide.io/v1alpha1
            kind: EventPipeline
            metadata:
              name: bad
            spec:
              shards: 2
              processor:
                minReplicas: 5
                maxReplicas: 4
            """;
        var e = Assert.Throws<FormatException>(() => Rendering.Render(yaml, ObservedState.Initial));
        Assert.Contains("spec.image is required", e.Message, StringComparison.Ordinal);
        Assert.Contains("processor.minReplicas must not exceed processor.maxReplicas", e.Message, StringComparison.Ordinal);
        Assert.Contains("processor.maxReplicas must not exceed shards", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_of_other_kind_is_refused()
    {
        Assert.Throws<FormatException>(() => Rendering.Render("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", ObservedState.Initial));
    }
}
