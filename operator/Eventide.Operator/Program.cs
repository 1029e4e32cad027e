using System.CommandLine;
using Eventide.Operator.Desired;
using Eventide.Operator.Hosting;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.Hosting;

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
                Console.Out.Write(Rendering.Render(yaml, new ObservedState(parse.GetValue(serviceMonitor))));
                return 0;
            }
            catch (Exception e) when (e is FormatException or IOException)
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
        var healthPort = new Option<int>("--health-port") { Description = "Port of /healthz (liveness), /readyz (readiness) and /metrics (Prometheus).", DefaultValueFactory = _ => 8081 };
        var run = new Command("run", "Run the controller: watch EventPipelines and reconcile them (one leader among replicas).") { kubeconfig, context, ns, leaseNs, identity, healthPort };
        run.SetAction(async (parse, ct) =>
        {
            KubernetesClientConfiguration config;
            try
            {
                config = ClusterConfig.Load(parse.GetValue(kubeconfig)?.FullName, parse.GetValue(context));
            }
            catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or FormatException
                or System.Security.Cryptography.CryptographicException or YamlDotNet.Core.YamlException)
            {
                Console.Error.WriteLine($"eventide-operator run: cannot reach the cluster: {e.Message}");
                return 1;
            }
            var options = new OperatorOptions
            {
                Namespace = parse.GetValue(ns),
                LeaseNamespace = parse.GetValue(leaseNs) ?? config.Namespace ?? "default",
            };
            if (parse.GetValue(identity) is { } id)
            {
                options = options with { Identity = id };
            }
            // The host handles SIGTERM from the kubelet: it stops the controller, which stops leading and hands the Lease over.
            await using var app = OperatorHost.Build(config, options, parse.GetValue(healthPort), TimeProvider.System);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return run;
    }
}
