using Eventide.Operator.Resources;

namespace Eventide.Operator.Desired;

public static class Labels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string ManagedByValue = "eventide-operator";

    /// <summary>Labels every owned object carries; the operator watches by <see cref="ManagedBy"/>.</summary>
    public static Dictionary<string, string> For(EventPipeline p, DataPlaneRole? role)
    {
        var labels = Selector(p, role);
        labels[ManagedBy] = ManagedByValue;
        labels[PartOf] = "eventide";
        return labels;
    }

    /// <summary>The immutable subset used in selectors: changing it would orphan pods.</summary>
    public static Dictionary<string, string> Selector(EventPipeline p, DataPlaneRole? role)
    {
        var labels = new Dictionary<string, string>
        {
            [Name] = "eventide",
            [Instance] = p.Name,
        };
        if (role is not null)
        {
            labels[Component] = role.Name;
        }
        return labels;
    }
}
