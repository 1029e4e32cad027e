using Xunit.Abstractions;

namespace Eventide.Query.Tests;

/// <summary>The answer comparisons on the TimescaleDB engine (continuous aggregates, real-time aggregation on).</summary>
public sealed class TimescaleAnalyticsApiTests(TimescaleQueryApiFixture fixture, ITestOutputHelper output)
    : AnalyticsApiTests<TimescaleQueryApiFixture>(fixture, output), IClassFixture<TimescaleQueryApiFixture>;
