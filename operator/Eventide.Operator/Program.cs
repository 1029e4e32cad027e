using System.CommandLine;
using System.Runtime.InteropServices;
using Eventide.Operator.Desired;
using Eventide.Operator.Health;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using Microsoft.Extensions.Logging;

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

        root.Subcommands.Add(RunCommand());

        return root.Parse(args).Invoke();
    }

    private static Command RunCommand()
    {
        var kubeconfig = new Option<FileInfo?>("--kubeconfig") { Description = "kubeconfig file; default: in-cluster service account, else $KUBECONFIG or ~/.kube/config." };
        var context = new Option<string?>("--context") { Description = "kubeconfig context; default: its current-context." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Watch only this namespace; default: all." };
        var leaseNs = new Option<string?>("--lease-namespace") { Description = "Namespace of the leader-election Lease; default: the operator's own." };
        var identity = new Option<string?>("--identity") { Description = "Leader-election identity; default: $POD_NAME, else the host name." };
        var healthPort = new Option<int>("--health-port") { Description = "Port of the /healthz (liveness) and /readyz (readiness) endpoints; 0 turns them off.", DefaultValueFactory = _ => 8081 };
        var run = new Command("run", "Run the controller: watch EventPipelines and reconcile them (one leader among replicas).") { kubeconfig, context, ns, leaseNs, identity, healthPort };
        run.SetAction(async (parse, ct) =>
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            }));
            ClusterConnection connection;
            try
            {
                connection = KubeConfigLoader.Load(parse.GetValue(kubeconfig)?.FullName, parse.GetValue(context));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException
                or FormatException or System.Security.Cryptography.CryptographicException or YamlDotNet.Core.YamlException)
            {
                Console.Error.WriteLine($"eventide-operator run: cannot reach the cluster: {e.Message}");
                return 1;
            }
            using var api = new KubernetesClient(connection);
            using var http = new HttpClient();
            var options = new OperatorOptions
            {
                Namespace = parse.GetValue(ns),
                LeaseNamespace = parse.GetValue(leaseNs) ?? connection.DefaultNamespace,
            };
            if (parse.GetValue(identity) is { } id)
            {
                options = options with { Identity = id };
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // SIGTERM from the kubelet: stop leading and hand the Lease over.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            var controller = new OperatorController(api, new HttpLagReader(api, http), options, TimeProvider.System, loggers);
            await using var health = parse.GetValue(healthPort) is > 0 and var port
                ? await HealthServer.StartAsync(port, () => controller.IsReady, stop.Token)
                : null;
            await controller.RunAsync(stop.Token);
            return 0;
        });
        return run;
    }
}
