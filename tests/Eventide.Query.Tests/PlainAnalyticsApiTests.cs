using Xunit.Abstractions;

namespace Eventide.Query.Tests;

/// <summary>The answer comparisons on plain PostgreSQL, where the aggregates are views.</summary>
public sealed class PlainAnalyticsApiTests(PlainQueryApiFixture fixture, ITestOutputHelper output)
    : AnalyticsApiTests<PlainQueryApiFixture>(fixture, output), IClassFixture<PlainQueryApiFixture>;
