using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Eventide.Operator.Desired;
using Eventide.Operator.Kubernetes;
using Eventide.Operator.Resources;
using k8s;
using k8s.LeaderElection;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>
/// The controller: elected leader, it watches EventPipelines and the
/// Deployments and StatefulSets it owns, feeds their keys to a work queue and reconciles them
/// with a few workers. A standby replica only campaigns.
/// </summary>
public sealed class OperatorController
{
    private readonly IKubernetes _client;
    private readonly ILagReader _lagReader;
    private readonly OperatorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private readonly OperatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly LeaderElector _elector;
    private WorkQueue? _queue;
    private int _reconciles;

    public OperatorController(IKubernetes client, ILock @lock, ILagReader lagReader, OperatorOptions options, TimeProvider clock, OperatorMetrics metrics, ILoggerFactory loggers)
    {
        (_client, _lagReader, _options, _clock, _metrics, _loggers) = (client, lagReader, options, clock, metrics, loggers);
        _logger = loggers.CreateLogger<OperatorController>();
        _elector = new LeaderElector(@lock, options, clock, loggers.CreateLogger<LeaderElector>());
        metrics.Observe(() => _queue?.Count ?? 0, () => _elector.IsLeader);
    }

    public bool IsLeader => _elector.IsLeader;

    /// <summary>
    /// Ready while the election loop reached the API server within one lease
    /// duration: a replica that cannot reach it can neither lead nor take over.
    /// </summary>
    public bool IsReady => _elector.LastContact is { } t && _clock.GetUtcNow() - t <= _options.LeaseDuration;

    /// <summary>Reconciles completed, successful or not; for tests and diagnostics.</summary>
    public int Reconciles => _reconciles;

    public Task RunAsync(CancellationToken ct)
    {
        Log.Started(_logger, _options.Identity, _options.Namespace ?? "all namespaces");
        return _elector.RunAsync(LeadAsync, ct);
    }

    private async Task LeadAsync(CancellationToken ct)
    {
        using var queue = new WorkQueue(_options.BackoffBase, _options.BackoffMax, _clock);
        _queue = queue;
        // A new leader starts with no lag history: it must not scale down on a predecessor's word.
        var reconciler = new PipelineReconciler(_client, _lagReader, new LagHistory(), _options, _clock, _metrics, _loggers.CreateLogger<PipelineReconciler>());
        var generations = new ConcurrentDictionary<string, long>();

        var tasks = new List<Task>
        {
            Pipelines().RunAsync((type, p, cancel) =>
            {
                var key = $"{p.Namespace}/{p.Name}";
                // Status writes bump resourceVersion but not generation: reconciling on them would loop.
                if (type == WatchEventType.Deleted)
                {
                    generations.TryRemove(key, out _);
                    queue.Add(key);
                }
                else if (!generations.TryGetValue(key, out var seen) || seen != p.Generation || type == WatchEventType.Added)
                {
                    generations[key] = p.Generation;
                    queue.Add(key);
                }
                return Task.CompletedTask;
            }, ct),
            Deployments().RunAsync((_, d, _) => OwnerChanged(queue, d.Metadata), ct),
            // The processors' readiness (cluster membership) is the StatefulSet's status.
            StatefulSets().RunAsync((_, s, _) => OwnerChanged(queue, s.Metadata), ct),
        };
        for (var i = 0; i < _options.Workers; i++)
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
        finally
        {
            _queue = null;
        }
    }

    private ListWatch<EventPipeline> Pipelines()
    {
        const string g = EventPipeline.Group, v = EventPipeline.Version, plural = EventPipeline.Plural;
        var ns = _options.Namespace;
        return new ListWatch<EventPipeline>(
            plural,
            async ct =>
            {
                var list = ns is null
                    ? await _client.CustomObjects.ListClusterCustomObjectAsync<EventPipelineList>(g, v, plural, cancellationToken: ct)
                    : await _client.CustomObjects.ListNamespacedCustomObjectAsync<EventPipelineList>(g, v, ns, plural, cancellationToken: ct);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (rv, onError, ct) => Typed(ns is null
                ? _client.CustomObjects.WatchListClusterCustomObjectAsync(g, v, plural, allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct)
                : _client.CustomObjects.WatchListNamespacedCustomObjectAsync(g, v, ns, plural, allowWatchBookmarks: true, resourceVersion: rv, onError: onError, cancellationToken: ct)),
            _loggers.CreateLogger<ListWatch<EventPipeline>>())
        { ErrorDelay = _options.WatchErrorDelay };
    }

    private static Task OwnerChanged(WorkQueue queue, V1ObjectMeta meta)
    {
        if (meta.Labels?.TryGetValue(Labels.Instance, out var owner) == true)
        {
            queue.Add($"{meta.NamespaceProperty}/{owner}");
        }
        return Task.CompletedTask;
    }

    // StatefulSets() and Deployments() have one shape on purpose. A generic helper would take
    // the four client calls (list and watch, across namespaces and in one) as delegates of
    // five parameters each, and each factory would still spell out those four calls: no
    // shorter, and harder to read than two factories that call the typed client directly.
    private ListWatch<V1StatefulSet> StatefulSets()
    {
        const string selector = $"{Labels.ManagedBy}={Labels.ManagedByValue}";
        var ns = _options.Namespace;
        return new ListWatch<V1StatefulSet>(
            "statefulsets",
            async ct =>
            {
                var list = ns is null
                    ? await _client.AppsV1.ListStatefulSetForAllNamespacesAsync(labelSelector: selector, cancellationToken: ct)
                    : await _client.AppsV1.ListNamespacedStatefulSetAsync(ns, labelSelector: selector, cancellationToken: ct);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (rv, onError, ct) => ns is null
                ? _client.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: selector, resourceVersion: rv, onError: onError, cancellationToken: ct)
                : _client.AppsV1.WatchListNamespacedStatefulSetAsync(ns, allowWatchBookmarks: true, labelSelector: selector, resourceVersion: rv, onError: onError, cancellationToken: ct),
            _loggers.CreateLogger<ListWatch<V1StatefulSet>>())
        { ErrorDelay = _options.WatchErrorDelay };
    }

    private ListWatch<V1Deployment> Deployments()
    {
        const string selector = $"{Labels.ManagedBy}={Labels.ManagedByValue}";
        var ns = _options.Namespace;
        return new ListWatch<V1Deployment>(
            "deployments",
            async ct =>
            {
                var list = ns is null
                    ? await _client.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: selector, cancellationToken: ct)
                    : await _client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (rv, onError, ct) => ns is null
                ? _client.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: selector, resourceVersion: rv, onError: onError, cancellationToken: ct)
                : _client.AppsV1.WatchListNamespacedDeploymentAsync(ns, allowWatchBookmarks: true, labelSelector: selector, resourceVersion: rv, onError: onError, cancellationToken: ct),
            _loggers.CreateLogger<ListWatch<V1Deployment>>())
        { ErrorDelay = _options.WatchErrorDelay };
    }

    // The custom objects watch yields untyped JSON; read it as our typed resource.
    private static async IAsyncEnumerable<(WatchEventType, EventPipeline)> Typed(IAsyncEnumerable<(WatchEventType, object)> events)
    {
        await foreach (var (type, obj) in events)
        {
            var json = obj is JsonElement e ? e.GetRawText() : KubernetesJson.Serialize(obj);
            yield return (type, KubernetesJson.Deserialize<EventPipeline>(json));
        }
    }

    private async Task WorkAsync(WorkQueue queue, PipelineReconciler reconciler, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var key = await queue.TakeAsync(ct);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                deadline.CancelAfter(_options.ReconcileTimeout);
                var result = await reconciler.ReconcileAsync(key, deadline.Token);
                _metrics.Reconciled(true, Stopwatch.GetElapsedTime(started));
                queue.Forget(key);
                if (result.RequeueAfter is { } after)
                {
                    queue.AddAfter(key, after);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _metrics.Reconciled(false, Stopwatch.GetElapsedTime(started));
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
}
