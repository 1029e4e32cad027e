using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Reconciliation;

/// <summary>One owned object of a pipeline: what it should be, and how to make the cluster agree.</summary>
public interface IOwnedObjectStep
{
    /// <summary>The step's name, as logs and errors show it.</summary>
    string Name { get; }

    /// <summary>The object the pipeline wants, or null when it should not exist.</summary>
    IKubernetesObject<V1ObjectMeta>? Build(EventPipeline p, ObservedState observed);

    /// <summary>Applies what <see cref="Build"/> returned, or deletes the pipeline's object when it returned null; returns the live object.</summary>
    Task<IKubernetesObject<V1ObjectMeta>?> RunAsync(IKubernetes client, EventPipeline p, ObservedState observed, string fieldManager, ILogger logger, CancellationToken ct);
}
