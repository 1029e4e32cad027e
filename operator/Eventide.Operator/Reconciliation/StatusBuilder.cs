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
            Ingestion = Component(inputs, Role.Ingestion),
            Processor = Component(inputs, Role.Processor),
            Query = Component(inputs, Role.Query),
            Endpoints = new EndpointsStatus
            {
                Ingestion = Names.ServiceUrl(p, Role.Ingestion),
                Query = Names.ServiceUrl(p, Role.Query),
                Ingress = IngressBuilder.Url(p),
            },
            Lag = inputs.Lag is { } lag
                ? new LagStatus { TotalEvents = lag.TotalEvents, MaxAgeSeconds = Math.Round(lag.MaxAgeSeconds, 3), ObservedAt = Timestamp(lag.Time) }
                : p.Status?.Lag,
        };

        var roles = Role.All.Select(r => (Role: r, Deployment: inputs.Deployments.GetValueOrDefault(r.Name))).ToList();
        var notReady = roles.Where(r => r.Deployment is null || !IsReady(r.Deployment)).Select(r => r.Role.Name).ToList();
        var rolling = roles.Where(r => r.Deployment is null || IsRolling(r.Deployment)).Select(r => r.Role.Name).ToList();

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
    public static bool IsReady(V1Deployment deployment)
    {
        var wanted = deployment.Spec?.Replicas ?? 1;
        var status = deployment.Status;
        return !IsStale(deployment)
            && (status?.ReadyReplicas ?? 0) >= wanted
            && (status?.UpdatedReplicas ?? 0) >= wanted
            && (status?.AvailableReplicas ?? 0) >= wanted;
    }

    private static bool IsRolling(V1Deployment deployment)
    {
        var status = deployment.Status;
        var wanted = deployment.Spec?.Replicas ?? 1;
        return IsStale(deployment)
            || (status?.UpdatedReplicas ?? 0) < wanted
            || (status?.Replicas ?? 0) > (status?.UpdatedReplicas ?? 0);
    }

    private static bool IsStale(V1Deployment deployment) =>
        (deployment.Status?.ObservedGeneration ?? 0) < (deployment.Metadata?.Generation ?? 0);

    private static ComponentStatus Component(StatusInputs inputs, Role role)
    {
        var d = inputs.Deployments.GetValueOrDefault(role.Name);
        return new ComponentStatus
        {
            DesiredReplicas = d?.Spec?.Replicas ?? 0,
            Replicas = d?.Status?.Replicas ?? 0,
            ReadyReplicas = d?.Status?.ReadyReplicas ?? 0,
        };
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
