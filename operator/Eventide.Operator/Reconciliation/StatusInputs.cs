using Eventide.Operator.Autoscaling;
using k8s.Models;

namespace Eventide.Operator.Reconciliation;

/// <summary>What the status is computed from: the live Deployments and processor StatefulSet, the last lag reading, and what went wrong.</summary>
/// <param name="Deployments">Live Deployment per stateless role name; missing when not (yet) there.</param>
/// <param name="Lag">The newest lag sample, or null when none could be read.</param>
/// <param name="LagError">Why lag could not be read.</param>
/// <param name="Problem">A reason from <see cref="Resources.Conditions"/> and a message when the pipeline is degraded.</param>
/// <param name="DatabaseSecretMissing">Whether the database Secret is absent.</param>
/// <param name="Processors">The live processor StatefulSet; null when not (yet) there.</param>
public sealed record StatusInputs(
    IReadOnlyDictionary<string, V1Deployment> Deployments,
    LagSample? Lag,
    string? LagError,
    (string Reason, string Message)? Problem,
    bool DatabaseSecretMissing,
    DateTimeOffset Now,
    V1StatefulSet? Processors = null);
