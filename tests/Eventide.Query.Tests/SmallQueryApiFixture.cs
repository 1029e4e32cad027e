using Eventide.Testing.Dataset;

namespace Eventide.Query.Tests;

/// <summary>A small dataset on plain PostgreSQL, for tests about the protocol rather than the numbers.</summary>
public sealed class SmallQueryApiFixture : PlainQueryApiFixture
{
    protected override EventDataset CreateDataset() => EventDataset.Generate(7, 2_000);
}
