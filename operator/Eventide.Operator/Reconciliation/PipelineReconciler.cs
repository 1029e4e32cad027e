using System.Text.Json.Nodes;
using Eventide.Operator.Autoscaling;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// One reconcile of one EventPipeline: read it, observe the cluster, scale the
/// processor, apply every desired object under one field manager, prune what
/// is no longer wanted, write status. Idempotent: running it twice changes
/// nothing the second time.
/// </summary>
public sealed class PipelineReconciler(
    IKubernetesApi api,
    ILagReader lagReader,
    LagHistory history,
    OperatorOptions options,
    TimeProvider clock,
    ILogger logger)
{
    // Objects that exist only for some specs: when the builder returns null they are deleted.
    private static readonly (ResourceType Type, Func<EventPipeline, string> Name)[] Optional =
    [
        (ResourceType.Ingress, Names.Ingress),
        (ResourceType.HorizontalPodAutoscaler, p => Names.Component(p, Role.Ingestion)),
        (ResourceType.HorizontalPodAutoscaler, p => Names.Component(p, Role.Query)),
        (ResourceType.ServiceMonitor, Names.ServiceMonitor),
        (ResourceType.ScaledObject, p => Names.Component(p, Role.Processor)),
        (ResourceType.TriggerAuthentication, Names.KedaAuthentication),
    ];

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var (ns, name) = SplitKey(key);
        var obj = await api.GetAsync(ResourceType.EventPipeline, ns, name, ct);
        if (obj is null)
        {
            // Owner references let the garbage collector delete what we created.
            history.Remove(key);
            Log.PipelineGone(logger, key);
            return ReconcileResult.Done;
        }
        if (obj["metadata"]?["deletionTimestamp"] is not null)
        {
            return ReconcileResult.Done;
        }
        var pipeline = Json.Deserialize<EventPipeline>(obj);

        var errors = EventPipelineValidator.Validate(pipeline);
        if (errors.Count > 0)
        {
            var message = string.Join("; ", errors);
            Log.InvalidSpec(logger, key, message);
            await WriteStatusAsync(pipeline, new StatusInputs(new Dictionary<string, JsonObject>(), null, null, (Conditions.ReasonInvalidSpec, message), false, clock.GetUtcNow()), ct);
            return ReconcileResult.Done;
        }

        var secretMissing = await DatabaseSecretMissingAsync(pipeline, ct);
        var (lag, lagError) = await ReadLagAsync(key, pipeline, ct);
        var replicas = await ScaleProcessorAsync(key, pipeline, lag, ct);
        var observed = new ObservedState(replicas, await CrdExistsAsync("servicemonitors.monitoring.coreos.com", ct));

        var deployments = new Dictionary<string, JsonObject>();
        var desired = DesiredObjects.Build(pipeline, observed);
        try
        {
            foreach (var o in desired)
            {
                var applied = await api.ApplyAsync(o, options.FieldManager, force: true, ct);
                if ((string?)o["kind"] == "Deployment")
                {
                    deployments[(string?)o["metadata"]?["labels"]?[Labels.Component] ?? ""] = applied;
                }
            }
            await PruneAsync(key, pipeline, desired, ct);
        }
        catch (KubeApiException e)
        {
            var failed = new StatusInputs(deployments, lag, lagError, (Conditions.ReasonApplyFailed, e.Message), secretMissing, clock.GetUtcNow());
            try
            {
                await WriteStatusAsync(pipeline, failed, ct);
            }
            catch (KubeApiException)
            {
                // Best effort: the apply failure is what the retry is about; keep that exception.
            }
            throw;
        }

        var inputs = new StatusInputs(deployments, lag, lagError,
            secretMissing ? (Conditions.ReasonSecretMissing, $"Secret {pipeline.Spec.Database.SecretRef.Name} not found.") : null,
            secretMissing, clock.GetUtcNow());
        await WriteStatusAsync(pipeline, inputs, ct);
        Log.Reconciled(logger, key, desired.Count, replicas);

        var poll = options.LagPollInterval ?? TimeSpan.FromSeconds(pipeline.Spec.Processor.Autoscaling.PollIntervalSeconds);
        var allReady = deployments.Count == Role.All.Count && deployments.Values.All(StatusBuilder.IsReady);
        // Lag mode polls lag on its interval; otherwise look again soon while rolling out, else on resync.
        var requeue = pipeline.Spec.Processor.Autoscaling.Mode == AutoscalingModes.Lag || !allReady ? poll : options.Resync;
        return new ReconcileResult(requeue);
    }

    public static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    private async Task<bool> DatabaseSecretMissingAsync(EventPipeline p, CancellationToken ct)
    {
        var secret = await api.GetAsync(ResourceType.Secret, p.Namespace, p.Spec.Database.SecretRef.Name, ct);
        return secret?["data"]?[p.Spec.Database.SecretRef.Key] is null;
    }

    private async Task<(LagSample? Sample, string? Error)> ReadLagAsync(string key, EventPipeline p, CancellationToken ct)
    {
        try
        {
            var report = await lagReader.ReadAsync(p, ct);
            return (new LagSample(clock.GetUtcNow(), report.TotalEvents, report.MaxAgeSeconds), null);
        }
        catch (LagUnavailableException e)
        {
            Log.LagUnavailable(logger, key, e.Message);
            return (null, e.Message);
        }
    }

    /// <summary>Lag mode only: the operator alone decides the processor's replica count.</summary>
    private async Task<int?> ScaleProcessorAsync(string key, EventPipeline p, LagSample? lag, CancellationToken ct)
    {
        if (p.Spec.Processor.Autoscaling.Mode != AutoscalingModes.Lag)
        {
            return null;
        }
        var live = await api.GetAsync(ResourceType.Deployment, p.Namespace, Names.Component(p, Role.Processor), ct);
        var current = (int?)Json.Long(live?["spec"]?["replicas"]) ?? p.Spec.Processor.MinReplicas;
        var scaling = p.Spec.Processor.Autoscaling;
        var keep = TimeSpan.FromSeconds(Math.Max(scaling.ScaleDownStabilizationSeconds, scaling.ScaleUpStabilizationSeconds));
        var samples = lag is null ? history.Get(key) : history.Add(key, lag, keep);
        var next = LagAutoscaler.Recommend(lag is null ? [] : samples, current, p.Spec, clock.GetUtcNow());
        if (next != current && lag is not null)
        {
            Log.Scaled(logger, key, current, next, lag.TotalEvents, lag.MaxAgeSeconds);
        }
        return next;
    }

    private async Task<bool> CrdExistsAsync(string name, CancellationToken ct) =>
        await api.GetAsync(ResourceType.CustomResourceDefinition, null, name, ct) is not null;

    private async Task PruneAsync(string key, EventPipeline p, IReadOnlyList<JsonObject> desired, CancellationToken ct)
    {
        foreach (var (type, nameOf) in Optional)
        {
            var name = nameOf(p);
            if (desired.Any(o => (string?)o["kind"] == type.Kind && (string?)o["metadata"]?["name"] == name))
            {
                continue;
            }
            JsonObject? existing;
            try
            {
                existing = await api.GetAsync(type, p.Namespace, name, ct);
            }
            catch (KubeApiException e) when (e.IsNotFound)
            {
                continue;
            }
            // Delete only what this pipeline owns; an object of the same name made by someone else stays.
            var owned = existing?["metadata"]?["ownerReferences"]?.AsArray().Any(r => (string?)r?["uid"] == p.Uid) ?? false;
            if (existing is not null && owned && await api.DeleteAsync(type, p.Namespace, name, ct))
            {
                Log.Pruned(logger, type.Kind, name, key);
            }
        }
    }

    private async Task WriteStatusAsync(EventPipeline p, StatusInputs inputs, CancellationToken ct)
    {
        var status = StatusBuilder.Build(p, inputs);
        var next = Json.ToObject(status);
        if (p.Status is not null && JsonNode.DeepEquals(Json.ToObject(p.Status), next))
        {
            return;
        }
        await api.MergePatchAsync(ResourceType.EventPipeline, p.Namespace, p.Name, new JsonObject { ["status"] = next }, "status", ct);
    }
}
