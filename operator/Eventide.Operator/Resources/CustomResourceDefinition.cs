namespace Eventide.Operator.Resources;

/// <summary>The EventPipeline CRD, embedded from <c>crds/eventpipelines.eventide.io.yaml</c> so the binary and the repo cannot disagree.</summary>
public static class CustomResourceDefinition
{
    public const string Name = "eventpipelines.eventide.io";

    public static string Yaml { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(CustomResourceDefinition).Assembly.GetManifestResourceStream(Name + ".yaml")
            ?? throw new InvalidOperationException("The CRD is not embedded in the operator assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
