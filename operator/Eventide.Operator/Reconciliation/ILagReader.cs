using Eventide.Operator.Resources;

namespace Eventide.Operator.Reconciliation;

public interface ILagReader
{
    /// <summary>The pipeline's inbox lag.</summary>
    /// <exception cref="LagUnavailableException">When the pipeline cannot tell (not up yet, token missing, database down).</exception>
    Task<LagReport> ReadAsync(EventPipeline pipeline, CancellationToken ct);
}
