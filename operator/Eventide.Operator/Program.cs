using System.CommandLine;
using Eventide.Operator.Desired;
using Eventide.Operator.Resources;

namespace Eventide.Operator;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("eventide-operator: runs Eventide pipelines on Kubernetes from EventPipeline resources.");

        var crd = new Command("crd", "Print the EventPipeline CustomResourceDefinition.");
        crd.SetAction(_ =>
        {
            Console.Out.Write(CustomResourceDefinition.Yaml);
            return 0;
        });
        root.Subcommands.Add(crd);

        var file = new Option<FileInfo>("--file", "-f") { Description = "EventPipeline manifest (YAML, may hold several documents).", Required = true };
        var serviceMonitor = new Option<bool>("--service-monitor-crd") { Description = "Render as if the ServiceMonitor CRD were installed." };
        var render = new Command("render", "Print the objects the operator would apply for a pipeline, as multi-document YAML.") { file, serviceMonitor };
        render.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            try
            {
                var yaml = File.ReadAllText(path.FullName);
                Console.Out.Write(Rendering.Render(yaml, new ObservedState(null, parse.GetValue(serviceMonitor))));
                return 0;
            }
            catch (Exception e) when (e is FormatException or IOException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException)
            {
                Console.Error.WriteLine($"eventide-operator render: {path}: {e.Message}");
                return 2;
            }
        });
        root.Subcommands.Add(render);

        return root.Parse(args).Invoke();
    }
}
