namespace Eventide.Operator.Resources;

public sealed class AdminTokenSecretRef
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "token";
}
