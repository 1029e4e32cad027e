using System.Reflection;
using Eventide.Core;
using Eventide.Operator.Kubernetes.Models;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace Eventide.Operator.Tests;

/// <summary>
/// The operator and the data plane share one contract: the configuration keys
/// the operator renders. Every key in the golden files must bind to the data
/// plane's <see cref="EventideOptions"/> with unknown keys as errors, and bind
/// to the value rendered, so the two cannot drift apart.
/// </summary>
public class ConfigurationContractTests
{
    private static readonly Dictionary<string, Type> CustomTypes = new()
    {
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(ScaledObject),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = typeof(TriggerAuthentication),
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
    };

    public static TheoryData<string> Samples => ["minimal", "complete", "keda"];

    /// <summary>Every environment variable a rendered pod gets, with its value (secrets as a placeholder).</summary>
    private static Dictionary<string, string> RenderedEnvironment(string sample)
    {
        var docs = KubernetesYaml.LoadAllFromString(File.ReadAllText(RepoPaths.Of("tests", "Eventide.Operator.Tests", "Golden", sample + ".rendered.yaml")), CustomTypes);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in docs.OfType<V1ConfigMap>().SelectMany(c => c.Data))
        {
            env[key] = value;
        }
        var containers = docs.OfType<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers)
            .Concat(docs.OfType<V1StatefulSet>().SelectMany(s => s.Spec.Template.Spec.Containers)).ToList();
        Assert.NotEmpty(containers);
        // Variables from the downward API (POD_NAME) only feed $(VAR) expansion in other values; they are not settings.
        foreach (var e in containers.SelectMany(c => c.Env ?? []).Where(e => e.ValueFrom?.FieldRef is null))
        {
            env[e.Name] = e.Value ?? "from-a-secret";
        }
        return env;
    }

    private static IConfiguration AsEnvironment(Dictionary<string, string> env) =>
        // What the environment variables provider does with a name: "__" separates sections.
        new ConfigurationBuilder().AddInMemoryCollection(env.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value))).Build();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_rendered_key_binds_to_the_data_plane_options_with_its_value(string sample)
    {
        var env = RenderedEnvironment(sample);
        Assert.All(env.Keys, k => Assert.StartsWith("Eventide__", k, StringComparison.Ordinal));
        var options = new EventideOptions();
        AsEnvironment(env).GetSection(EventideOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        foreach (var (key, value) in env)
        {
            Assert.Equal(value, Read(options, key.Split("__")[1..]), StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Processor_pods_mount_the_cluster_certificates_where_the_data_plane_looks_for_them()
    {
        Assert.Equal(ClusterTlsOptions.DefaultDirectory, Eventide.Operator.Desired.PodTemplateBuilder.ClusterTlsDirectory);
        var defaults = new ClusterTlsOptions();
        Assert.All([defaults.CertificatePath, defaults.KeyPath, defaults.CaPath], path => Assert.StartsWith(ClusterTlsOptions.DefaultDirectory + "/", path, StringComparison.Ordinal));
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], new[] { defaults.CertificatePath, defaults.KeyPath, defaults.CaPath }.Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Processor_pods_get_the_data_planes_remoting_port()
    {
        Assert.Equal(Eventide.Operator.Desired.Names.RemotingPort, new ClusterOptions().Port);
    }

    [Fact]
    public void Binding_refuses_a_key_the_data_plane_does_not_know()
    {
        var env = new Dictionary<string, string> { ["Eventide__Processor__BatchSize"] = "1", ["Eventide__Processor__BatchSise"] = "1" };
        var e = Assert.Throws<InvalidOperationException>(() =>
            AsEnvironment(env).GetSection(EventideOptions.SectionName).Bind(new EventideOptions(), o => o.ErrorOnUnknownConfiguration = true));
        Assert.Contains("BatchSise", e.Message, StringComparison.Ordinal);
    }

    private static string? Read(object target, string[] path)
    {
        object? value = target;
        foreach (var segment in path)
        {
            value = value?.GetType().GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.GetValue(value);
        }
        return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
