using Eventide.Operator.Desired;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Tests.Desired;

public class GrpcIngressBuilderTests
{
    private static EventPipeline WithIngress(Action<GrpcIngressSpec>? edit = null) => Pipelines.Build(s =>
    {
        s.Ingestion.Grpc.Ingress.Enabled = true;
        s.Ingestion.Grpc.Ingress.Host = "grpc.example.com";
        edit?.Invoke(s.Ingestion.Grpc.Ingress);
    });

    [Fact]
    public void Build_returns_null_when_the_grpc_ingress_is_disabled()
    {
        Assert.Null(GrpcIngressBuilder.Build(Pipelines.Build()));
        Assert.Null(GrpcIngressBuilder.Build(Pipelines.Build(s => { s.Ingestion.Grpc.Enabled = false; s.Ingestion.Grpc.Ingress.Enabled = true; s.Ingestion.Grpc.Ingress.Host = "h"; })));
    }

    [Fact]
    public void Build_routes_every_path_to_the_ingestion_grpc_port_with_the_grpc_backend_protocol()
    {
        var ingress = GrpcIngressBuilder.Build(WithIngress(i => i.Annotations = new() { ["team"] = "data" }))!;
        Assert.Equal("p-ingestion-grpc", ingress.Metadata.Name);
        Assert.Equal("GRPC", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/backend-protocol"]);
        Assert.Equal("data", ingress.Metadata.Annotations["team"]);
        var path = ingress.Spec.Rules.Single().Http.Paths.Single();
        Assert.Equal(("p-ingestion", "grpc"), (path.Backend.Service.Name, path.Backend.Service.Port.Name));
        Assert.Null(ingress.Spec.Tls);
    }

    [Fact]
    public void Build_adds_tls_for_the_host_when_a_secret_is_named()
    {
        var ingress = GrpcIngressBuilder.Build(WithIngress(i => { i.TlsSecretName = "grpc-tls"; i.ClassName = "nginx"; }))!;
        var tls = ingress.Spec.Tls.Single();
        Assert.Equal(("grpc-tls", "grpc.example.com"), (tls.SecretName, tls.Hosts.Single()));
        Assert.Equal("nginx", ingress.Spec.IngressClassName);
    }
}
