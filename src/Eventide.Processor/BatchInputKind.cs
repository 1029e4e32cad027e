namespace Eventide.Processor;

public enum BatchInputKind
{
    /// <summary>Rows arrived in the shard's inbox (a NOTIFY, or the poll saw them).</summary>
    Arrived,

    /// <summary>Time passed with no news.</summary>
    Tick,

    /// <summary>A flush committed.</summary>
    Flushed,

    /// <summary>Shutdown or handoff: flush what is pending, then stop.</summary>
    Stop,
}
