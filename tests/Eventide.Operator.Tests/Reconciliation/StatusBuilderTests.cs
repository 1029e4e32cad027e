using Eventide.Operator.Autoscaling;
using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;
using k8s.Models;

namespace Eventide.Operator.Tests.Reconciliation;

public class StatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static EventPipeline Pipeline() => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Generation = 4 },
        Spec = new EventPipelineSpec { Image = "i" },
    };

    private static V1Deployment Deployment(int replicas, int ready, long generation = 1, long observed = 1) => new()
    {
        Metadata = new V1ObjectMeta { Generation = generation },
        Spec = new V1DeploymentSpec { Replicas = replicas },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = observed,
            Replicas = replicas,
            UpdatedReplicas = replicas,
            ReadyReplicas = ready,
            AvailableReplicas = ready,
        },
    };

    private static V1StatefulSet StatefulSet(int replicas, int ready) => new()
    {
        Metadata = new V1ObjectMeta { Generation = 1 },
        Spec = new V1StatefulSetSpec { Replicas = replicas },
        Status = new V1StatefulSetStatus { ObservedGeneration = 1, Replicas = replicas, UpdatedReplicas = replicas, ReadyReplicas = ready, AvailableReplicas = ready },
    };

    private static Dictionary<string, V1Deployment> All(V1Deployment d) => new() { ["ingestion"] = d, ["query"] = d };

    /// <summary>The stateless roles from <paramref name="d"/>, the processors a StatefulSet of the same counts.</summary>
    private static StatusInputs Inputs(V1Deployment d, LagSample? lag, string? lagError, (string, string)? problem, DateTimeOffset now) =>
        new(All(d), lag, lagError, problem, false, now, StatefulSet(d.Spec.Replicas ?? 1, d.Status.ReadyReplicas ?? 0));

    private static string Status(EventPipelineStatus s, string type) => s.Conditions.Single(c => c.Type == type).Status;

    [Fact]
    public void Build_is_ready_when_every_deployment_is_ready()
    {
        var s = StatusBuilder.Build(Pipeline(), Inputs(Deployment(2, 2), new LagSample(Now, 5, 0.5), null, null, Now));
        Assert.Equal(Conditions.True, Status(s, Conditions.Ready));
        Assert.Equal(Conditions.False, Status(s, Conditions.Progressing));
        Assert.Equal(Conditions.False, Status(s, Conditions.Degraded));
        Assert.Equal(Conditions.True, Status(s, Conditions.DatabaseReady));
        Assert.Equal(4, s.ObservedGeneration);
        Assert.Equal(2, s.Processor.ReadyReplicas);
        Assert.Equal(5, s.Lag!.TotalEvents);
    }

    [Fact]
    public void Build_is_not_ready_and_progressing_while_a_deployment_rolls_out()
    {
        var inputs = All(Deployment(2, 2));
        inputs["query"] = Deployment(2, 1, generation: 2, observed: 1);
        var s = StatusBuilder.Build(Pipeline(), new StatusInputs(inputs, null, "down", null, false, Now, StatefulSet(2, 2)));
        Assert.Equal(Conditions.False, Status(s, Conditions.Ready));
        Assert.Contains("query", s.Conditions.Single(c => c.Type == Conditions.Ready).Message, StringComparison.Ordinal);
        Assert.Equal(Conditions.True, Status(s, Conditions.Progressing));
        Assert.Equal(Conditions.Unknown, Status(s, Conditions.DatabaseReady));
    }

    [Fact]
    public void Build_reads_the_processors_from_their_stateful_set()
    {
        var s = StatusBuilder.Build(Pipeline(), new StatusInputs(All(Deployment(2, 2)), null, null, null, false, Now, StatefulSet(3, 1)));
        Assert.Equal(Conditions.False, Status(s, Conditions.Ready));
        Assert.Equal("Not ready: processor.", s.Conditions.Single(c => c.Type == Conditions.Ready).Message);
        Assert.Equal((3, 3, 1), (s.Processor.DesiredReplicas, s.Processor.Replicas, s.Processor.ReadyReplicas));
        var missing = StatusBuilder.Build(Pipeline(), new StatusInputs(All(Deployment(2, 2)), null, null, null, false, Now));
        Assert.Equal(Conditions.False, Status(missing, Conditions.Ready));
    }

    [Fact]
    public void Build_is_degraded_with_the_problem_reason()
    {
        var s = StatusBuilder.Build(Pipeline(), new StatusInputs(All(Deployment(1, 1)), null, null, (Conditions.ReasonApplyFailed, "boom"), false, Now));
        var degraded = s.Conditions.Single(c => c.Type == Conditions.Degraded);
        Assert.Equal((Conditions.True, Conditions.ReasonApplyFailed, "boom"), (degraded.Status, degraded.Reason, degraded.Message));
        Assert.Equal(Conditions.False, Status(s, Conditions.Ready));
    }

    [Fact]
    public void Build_keeps_transition_time_while_a_condition_holds()
    {
        var p = Pipeline();
        p.Status = StatusBuilder.Build(p, Inputs(Deployment(1, 1), null, null, null, Now));
        var later = StatusBuilder.Build(p, Inputs(Deployment(1, 1), null, null, null, Now.AddHours(1)));
        Assert.Equal(StatusBuilder.Timestamp(Now), later.Conditions.Single(c => c.Type == Conditions.Ready).LastTransitionTime);
        var changed = StatusBuilder.Build(p, Inputs(Deployment(1, 0), null, null, null, Now.AddHours(1)));
        Assert.Equal(StatusBuilder.Timestamp(Now.AddHours(1)), changed.Conditions.Single(c => c.Type == Conditions.Ready).LastTransitionTime);
    }

    [Fact]
    public void Build_reports_missing_database_secret()
    {
        var s = StatusBuilder.Build(Pipeline(), new StatusInputs(All(Deployment(1, 1)), null, null, null, true, Now));
        Assert.Equal(Conditions.ReasonSecretMissing, s.Conditions.Single(c => c.Type == Conditions.DatabaseReady).Reason);
        Assert.Equal(Conditions.False, Status(s, Conditions.DatabaseReady));
    }
}
