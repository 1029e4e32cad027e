using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// The controller: elected leader, it watches EventPipelines and the
/// Deployments it owns, feeds their keys to a work queue and reconciles them
/// with a few workers. A standby replica only campaigns.
/// </summary>
public sealed class OperatorController(IKubernetesApi api, ILagReader lagReader, OperatorOptions options, TimeProvider clock, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<OperatorController>();
    private readonly LeaderElector _elector = new(api, options, clock, loggers.CreateLogger<LeaderElector>());

    public bool IsLeader => _elector.IsLeader;

    /// <summary>
    /// Ready while the election loop reached the API server within one lease
    /// duration: a replica that cannot reach it can neither lead nor take over.
    /// </summary>
    public bool IsReady => _elector.LastContact is { } t && clock.GetUtcNow() - t <= options.LeaseDuration;

    /// <summary>Reconciles completed, successful or not; for tests and diagnostics.</summary>
    public int Reconciles => _reconciles;

    private int _reconciles;

    public Task RunAsync(CancellationToken ct)
    {
        Log.Started(_logger, options.Identity, options.Namespace ?? "all namespaces");
        return _elector.RunAsync(LeadAsync, ct);
    }

    private async Task LeadAsync(CancellationToken ct)
    {
        using var queue = new WorkQueue(options.BackoffBase, options.BackoffMax);
        // A new leader starts with no lag history: it must not scale down on a predecessor's word.
        var reconciler = new PipelineReconciler(api, lagReader, new LagHistory(), options, clock, loggers.CreateLogger<PipelineReconciler>());
        var generations = new ConcurrentDictionary<string, long>();

        var pipelines = new ListWatcher(api, ResourceType.EventPipeline, options.Namespace, null, loggers.CreateLogger<ListWatcher>()) { ErrorDelay = options.WatchErrorDelay };
        var deployments = new ListWatcher(api, ResourceType.Deployment, options.Namespace, $"{Labels.ManagedBy}={Labels.ManagedByValue}", loggers.CreateLogger<ListWatcher>()) { ErrorDelay = options.WatchErrorDelay };

        var tasks = new List<Task>
        {
            pipelines.RunAsync((type, obj, cancel) =>
            {
                var key = Key(obj);
                var generation = Json.Long(obj["metadata"]?["generation"]) ?? 0;
                // Status writes bump resourceVersion but not generation: reconciling on them would loop.
                if (type == WatchEvent.Deleted)
                {
                    generations.TryRemove(key, out _);
                    queue.Add(key);
                }
                else if (!generations.TryGetValue(key, out var seen) || seen != generation || type == WatchEvent.Added)
                {
                    generations[key] = generation;
                    queue.Add(key);
                }
                return Task.CompletedTask;
            }, ct),
            deployments.RunAsync((_, obj, _) =>
            {
                if ((string?)obj["metadata"]?["labels"]?[Labels.Instance] is { } owner)
                {
                    queue.Add($"{(string?)obj["metadata"]?["namespace"]}/{owner}");
                }
                return Task.CompletedTask;
            }, ct),
        };
        for (var i = 0; i < options.Workers; i++)
        {
            tasks.Add(WorkAsync(queue, reconciler, ct));
        }
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Leadership lost or shutting down.
        }
    }

    private async Task WorkAsync(WorkQueue queue, PipelineReconciler reconciler, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var key = await queue.TakeAsync(ct);
            try
            {
                var result = await reconciler.ReconcileAsync(key, ct);
                queue.Forget(key);
                if (result.RequeueAfter is { } after)
                {
                    queue.AddAfter(key, after);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var delay = queue.AddRateLimited(key);
                Log.ReconcileFailed(_logger, e, key, delay);
            }
            finally
            {
                queue.Done(key);
                Interlocked.Increment(ref _reconciles);
            }
        }
    }

    private static string Key(JsonObject obj) =>
        $"{(string?)obj["metadata"]?["namespace"]}/{(string?)obj["metadata"]?["name"]}";
}
