using System.Globalization;
using Eventide.Operator.Desired;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Reconciliation;

/// <summary>The pipeline's status as a pure function of what was observed.</summary>
public static class StatusBuilder
{
    public static EventPipelineStatus Build(EventPipeline p, StatusInputs inputs)
    {
        var status = new EventPipelineStatus
        {
            ObservedGeneration = p.Generation,
            Ingestion = Component(inputs, DataPlaneRole.Ingestion),
            Processor = Component(inputs, DataPlaneRole.Processor),
            Query = Component(inputs, DataPlaneRole.Query),
            Endpoints = new EndpointsStatus
            {
                Ingestion = Names.ServiceUrl(p, DataPlaneRole.Ingestion),
                Query = Names.ServiceUrl(p, DataPlaneRole.Query),
                Ingress = IngressBuilder.Url(p),
            },
            Lag = inputs.Lag is { } lag
                ? new LagStatus { TotalEvents = lag.TotalEvents, MaxAgeSeconds = Math.Round(lag.MaxAgeSeconds, 3), ObservedAt = Timestamp(lag.Time) }
                : p.Status?.Lag,
        };

        var roles = DataPlaneRole.All.Select(r => (Role: r, Workload: WorkloadOf(inputs, r))).ToList();
        var notReady = roles.Where(r => r.Workload is null || !r.Workload.IsReady).Select(r => r.Role.Name).ToList();
        var rolling = roles.Where(r => r.Workload is null || r.Workload.IsRolling).Select(r => r.Role.Name).ToList();

        var conditions = new List<Condition>();
        var previous = p.Status?.Conditions ?? [];
        void Set(string type, bool? value, string reason, string message) =>
            conditions.Add(Transition(previous, new Condition
            {
                Type = type,
                Status = value switch { true => Conditions.True, false => Conditions.False, null => Conditions.Unknown },
                ObservedGeneration = p.Generation,
                Reason = reason,
                Message = message,
            }, inputs.Now));

        if (inputs.Problem is { } problem)
        {
            Set(Conditions.Ready, false, problem.Reason, problem.Message);
        }
        else if (notReady.Count == 0)
        {
            Set(Conditions.Ready, true, Conditions.ReasonAllReady, "Ingestion, processor and query are ready.");
        }
        else
        {
            Set(Conditions.Ready, false, Conditions.ReasonComponentsNotReady, $"Not ready: {string.Join(", ", notReady)}.");
        }

        if (rolling.Count > 0)
        {
            Set(Conditions.Progressing, true, Conditions.ReasonRollingOut, $"Rolling out: {string.Join(", ", rolling)}.");
        }
        else
        {
            Set(Conditions.Progressing, false, Conditions.ReasonUpToDate, "Every component runs the current spec.");
        }

        if (inputs.Problem is { } degraded)
        {
            Set(Conditions.Degraded, true, degraded.Reason, degraded.Message);
        }
        else
        {
            Set(Conditions.Degraded, false, Conditions.ReasonAsExpected, "No problems found.");
        }

        if (inputs.DatabaseSecretMissing)
        {
            Set(Conditions.DatabaseReady, false, Conditions.ReasonSecretMissing, $"Secret {p.Spec.Database.SecretRef.Name} with key {p.Spec.Database.SecretRef.Key} not found.");
        }
        else if (inputs.Lag is not null)
        {
            Set(Conditions.DatabaseReady, true, Conditions.ReasonLagReported, "The pipeline reads its inbox.");
        }
        else
        {
            Set(Conditions.DatabaseReady, null, Conditions.ReasonLagUnavailable, inputs.LagError ?? "Lag not read yet.");
        }

        status.Conditions = conditions;
        return status;
    }

    /// <summary>A Deployment is ready when its controller saw the current spec and every wanted replica is updated and ready.</summary>
    public static bool IsReady(V1Deployment deployment) => Workload.Of(deployment).IsReady;

    /// <summary>The processor StatefulSet is ready on the same terms as a Deployment.</summary>
    public static bool IsReady(V1StatefulSet statefulSet) => Workload.Of(statefulSet).IsReady;

    private static Workload? WorkloadOf(StatusInputs inputs, DataPlaneRole role) =>
        role == DataPlaneRole.Processor
            ? inputs.Processors is { } sts ? Workload.Of(sts) : null
            : inputs.Deployments.GetValueOrDefault(role.Name) is { } d ? Workload.Of(d) : null;

    private static ComponentStatus Component(StatusInputs inputs, DataPlaneRole role)
    {
        var w = WorkloadOf(inputs, role);
        return new ComponentStatus
        {
            DesiredReplicas = w?.Wanted ?? 0,
            Replicas = w?.Replicas ?? 0,
            ReadyReplicas = w?.Ready ?? 0,
        };
    }

    /// <summary>What readiness is judged by, alike for a Deployment and a StatefulSet.</summary>
    private sealed record Workload(long Generation, long ObservedGeneration, int Wanted, int Replicas, int Ready, int Updated, int Available)
    {
        private bool IsStale => ObservedGeneration < Generation;

        public bool IsReady => !IsStale && Ready >= Wanted && Updated >= Wanted && Available >= Wanted;

        public bool IsRolling => IsStale || Updated < Wanted || Replicas > Updated;

        public static Workload Of(V1Deployment d) => new(
            d.Metadata?.Generation ?? 0, d.Status?.ObservedGeneration ?? 0, d.Spec?.Replicas ?? 1,
            d.Status?.Replicas ?? 0, d.Status?.ReadyReplicas ?? 0, d.Status?.UpdatedReplicas ?? 0, d.Status?.AvailableReplicas ?? 0);

        public static Workload Of(V1StatefulSet s) => new(
            s.Metadata?.Generation ?? 0, s.Status?.ObservedGeneration ?? 0, s.Spec?.Replicas ?? 1,
            s.Status?.Replicas ?? 0, s.Status?.ReadyReplicas ?? 0, s.Status?.UpdatedReplicas ?? 0, s.Status?.AvailableReplicas ?? 0);
    }

    // lastTransitionTime moves only when the status value changes, as metav1.Condition requires.
    private static Condition Transition(List<Condition> previous, Condition next, DateTimeOffset now)
    {
        var old = previous.Find(c => c.Type == next.Type);
        next.LastTransitionTime = old is not null && old.Status == next.Status && old.LastTransitionTime.Length > 0
            ? old.LastTransitionTime
            : Timestamp(now);
        return next;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
