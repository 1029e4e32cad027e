namespace Eventide.Query.Tests;

/// <summary>The answer comparisons on plain PostgreSQL, where the aggregates are views.</summary>
public sealed class PlainAnalyticsApiTests(PlainQueryApiFixture fixture)
    : AnalyticsApiTests<PlainQueryApiFixture>(fixture), IClassFixture<PlainQueryApiFixture>;
