namespace Eventide.Dashboard.Tests;

/// <summary>The browser tests share one seeded pipeline and one chromium, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
