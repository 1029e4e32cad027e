namespace Eventide.Operator.Resources;

/// <summary>
/// The CRD's validation rules, repeated for objects that never met the API
/// server (<c>render -f</c>) and as a guard in the reconciler.
/// </summary>
public static class EventPipelineValidator
{
    public static IReadOnlyList<string> Validate(EventPipeline p)
    {
        var errors = new List<string>();
        var s = p.Spec;
        if (string.IsNullOrEmpty(p.Name))
        {
            errors.Add("metadata.name is required");
        }
        if (string.IsNullOrEmpty(s.Image))
        {
            errors.Add("spec.image is required");
        }
        if (string.IsNullOrEmpty(s.Database.SecretRef.Name))
        {
            errors.Add("spec.database.secretRef.name is required");
        }
        if (string.IsNullOrEmpty(s.AdminTokenSecretRef.Name))
        {
            errors.Add("spec.adminTokenSecretRef.name is required");
        }
        if (s.Database.Timescale is not ("required" or "auto" or "off"))
        {
            errors.Add("spec.database.timescale must be required, auto or off");
        }
        if (s.Shards is < 1 or > 4096)
        {
            errors.Add("spec.shards must be between 1 and 4096");
        }
        if (s.Processor.MinReplicas > s.Processor.MaxReplicas)
        {
            errors.Add("processor.minReplicas must not exceed processor.maxReplicas");
        }
        if (s.Processor.MaxReplicas > s.Shards)
        {
            errors.Add("processor.maxReplicas must not exceed shards");
        }
        if (s.Ingestion.Replicas > s.Ingestion.MaxReplicas)
        {
            errors.Add("ingestion.replicas must not exceed ingestion.maxReplicas");
        }
        if (s.Query.Replicas > s.Query.MaxReplicas)
        {
            errors.Add("query.replicas must not exceed query.maxReplicas");
        }
        if (s.Ingestion.Ingress.Enabled && string.IsNullOrEmpty(s.Ingestion.Ingress.Host))
        {
            errors.Add("ingress.host is required when the ingress is enabled");
        }
        if (s.Processor.Autoscaling.Mode is not (AutoscalingModes.Lag or AutoscalingModes.Keda or AutoscalingModes.Off))
        {
            errors.Add("processor.autoscaling.mode must be Lag, KEDA or Off");
        }
        return errors;
    }
}
