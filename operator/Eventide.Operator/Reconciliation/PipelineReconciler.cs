using Eventide.Operator.Autoscaling;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// One reconcile of one EventPipeline: read it, observe the cluster, scale the
/// processor, run one step per owned object (apply it, or delete it when its
/// builder wants none), write status. Idempotent: running it twice changes
/// nothing the second time.
/// </summary>
public sealed class PipelineReconciler(
    IKubernetes client,
    ILagReader lagReader,
    LagHistory history,
    OperatorOptions options,
    TimeProvider clock,
    OperatorMetrics metrics,
    ILogger logger)
{
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken ct)
    {
        var (ns, name) = SplitKey(key);
        var pipeline = await ReadPipelineAsync(ns, name, ct);
        if (pipeline is null)
        {
            // Owner references let the garbage collector delete what we created.
            history.Remove(key);
            Log.PipelineGone(logger, key);
            return ReconcileResult.Done;
        }
        if (pipeline.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var errors = EventPipelineValidator.Validate(pipeline);
        if (errors.Count > 0)
        {
            var message = string.Join("; ", errors);
            Log.InvalidSpec(logger, key, message);
            await WriteStatusAsync(pipeline, new StatusInputs(new Dictionary<string, V1Deployment>(), null, null, (Conditions.ReasonInvalidSpec, message), false, clock.GetUtcNow()), ct);
            return ReconcileResult.Done;
        }

        var secretMissing = await DatabaseSecretMissingAsync(pipeline, ct);
        var (lag, lagError) = await ReadLagAsync(key, pipeline, ct);
        var replicas = await ScaleProcessorAsync(key, pipeline, lag, ct);
        var observed = new ObservedState(await CrdExistsAsync("servicemonitors.monitoring.coreos.com", ct));

        var deployments = new Dictionary<string, V1Deployment>();
        V1StatefulSet? processors = null;
        var applied = 0;
        foreach (var step in PipelineSteps.All)
        {
            try
            {
                var live = await step.RunAsync(client, pipeline, observed, options.FieldManager, logger, ct);
                if (live is V1Deployment d && d.Metadata.Labels?.TryGetValue(Labels.Component, out var role) == true)
                {
                    deployments[role] = d;
                }
                processors = live as V1StatefulSet ?? processors;
                applied += live is null ? 0 : 1;
            }
            catch (Exception e) when (ApiErrors.IsApiFailure(e))
            {
                var failed = new StatusInputs(deployments, lag, lagError, (Conditions.ReasonApplyFailed, $"{step.Name}: {e.Message}"), secretMissing, clock.GetUtcNow(), processors);
                try
                {
                    await WriteStatusAsync(pipeline, failed, ct);
                }
                catch (Exception statusError) when (ApiErrors.IsApiFailure(statusError))
                {
                    // Best effort: the apply failure is what the retry is about; keep that exception.
                }
                throw;
            }
        }

        if (processors is not null && replicas is { } wanted && processors.Spec?.Replicas != wanted)
        {
            processors = await ScaleAsync(pipeline, wanted, ct);
        }

        var inputs = new StatusInputs(deployments, lag, lagError,
            secretMissing ? (Conditions.ReasonSecretMissing, $"Secret {pipeline.Spec.Database.SecretRef.Name} not found.") : null,
            secretMissing, clock.GetUtcNow(), processors);
        await WriteStatusAsync(pipeline, inputs, ct);
        Log.Reconciled(logger, key, applied, replicas);

        var allReady = DeploymentBuilder.Roles.All(r => deployments.TryGetValue(r.Name, out var d) && StatusBuilder.IsReady(d))
            && processors is not null && StatusBuilder.IsReady(processors);
        return new ReconcileResult(Requeue.After(pipeline.Spec, allReady, options));
    }

    public static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }

    private async Task<EventPipeline?> ReadPipelineAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<EventPipeline>(EventPipeline.Group, EventPipeline.Version, ns, EventPipeline.Plural, name, ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    private async Task<bool> DatabaseSecretMissingAsync(EventPipeline p, CancellationToken ct)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(p.Spec.Database.SecretRef.Name, p.Namespace, cancellationToken: ct);
            return secret.Data?.ContainsKey(p.Spec.Database.SecretRef.Key) != true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return true;
        }
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

    /// <summary>
    /// The processor count the operator sets through the scale subresource: the lag
    /// autoscaler's decision in Lag mode, the minimum in Off mode, none in KEDA mode
    /// (KEDA's HPA scales then).
    /// </summary>
    private async Task<int?> ScaleProcessorAsync(string key, EventPipeline p, LagSample? lag, CancellationToken ct)
    {
        var mode = p.Spec.Processor.Autoscaling.Mode;
        if (mode == AutoscalingModes.Off)
        {
            return ProcessorReplicas.Floor(p.Spec);
        }
        if (mode != AutoscalingModes.Lag)
        {
            return null;
        }
        var live = await OwnedKinds.StatefulSet.ReadAsync(client, p.Namespace, Names.Component(p, DataPlaneRole.Processor), ct);
        var current = live?.Spec?.Replicas ?? p.Spec.Processor.MinReplicas;
        var scaling = p.Spec.Processor.Autoscaling;
        var keep = TimeSpan.FromSeconds(Math.Max(scaling.ScaleDownStabilizationSeconds, scaling.ScaleUpStabilizationSeconds));
        var samples = lag is null ? history.Get(key) : history.Add(key, lag, keep);
        var next = LagAutoscaler.Recommend(lag is null ? [] : samples, current, p.Spec, clock.GetUtcNow());
        if (next != current && lag is not null)
        {
            Log.Scaled(logger, key, current, next, lag.TotalEvents, lag.MaxAgeSeconds);
            metrics.AutoscalerDecided(next > current ? "up" : "down");
        }
        return next;
    }

    /// <summary>
    /// Scales the processors through the StatefulSet's scale subresource, as any
    /// autoscaler does: the apply never carries <c>spec.replicas</c> (see
    /// <see cref="StatefulSetBuilder"/>), so the two never fight over it.
    /// </summary>
    private async Task<V1StatefulSet?> ScaleAsync(EventPipeline p, int replicas, CancellationToken ct)
    {
        var name = Names.Component(p, DataPlaneRole.Processor);
        var patch = new V1Patch(new Dictionary<string, object> { ["spec"] = new Dictionary<string, object> { ["replicas"] = replicas } }, V1Patch.PatchType.MergePatch);
        await client.AppsV1.PatchNamespacedStatefulSetScaleAsync(patch, name, p.Namespace, fieldManager: options.FieldManager, cancellationToken: ct);
        return await OwnedKinds.StatefulSet.ReadAsync(client, p.Namespace, name, ct);
    }

    private async Task<bool> CrdExistsAsync(string name, CancellationToken ct)
    {
        try
        {
            await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct);
            return true;
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return false;
        }
    }

    private async Task WriteStatusAsync(EventPipeline p, StatusInputs inputs, CancellationToken ct)
    {
        var status = StatusBuilder.Build(p, inputs);
        if (p.Status is not null && KubernetesJson.Serialize(p.Status) == KubernetesJson.Serialize(status))
        {
            return;
        }
        // A merge patch of the status subresource: spec and metadata are not ours to send here.
        var patch = new V1Patch(new Dictionary<string, object> { ["status"] = status }, V1Patch.PatchType.MergePatch);
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, EventPipeline.Group, EventPipeline.Version, p.Namespace, EventPipeline.Plural, p.Name, fieldManager: options.FieldManager, cancellationToken: ct);
    }
}
