using Eventide.Operator.Reconciliation;
using Eventide.Operator.Resources;

namespace Eventide.Operator.Tests.Reconciliation;

public class RequeueTests
{
    private static readonly OperatorOptions Options = new() { Resync = TimeSpan.FromMinutes(5) };

    private static EventPipelineSpec Spec(string mode) => new() { Processor = new ProcessorSpec { Autoscaling = new LagAutoscalingSpec { Mode = mode, PollIntervalSeconds = 7 } } };

    [Fact]
    public void After_in_lag_mode_is_the_poll_interval_even_when_ready()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Requeue.After(Spec(AutoscalingModes.Lag), allReady: true, Options));
    }

    [Fact]
    public void After_while_rolling_out_is_the_poll_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Requeue.After(Spec(AutoscalingModes.Keda), allReady: false, Options));
    }

    [Fact]
    public void After_when_ready_and_not_polling_lag_is_the_resync_period()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Requeue.After(Spec(AutoscalingModes.Off), allReady: true, Options));
    }

    [Fact]
    public void After_uses_the_operator_override_of_the_poll_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Requeue.After(Spec(AutoscalingModes.Lag), true, Options with { LagPollInterval = TimeSpan.FromSeconds(1) }));
    }
}
