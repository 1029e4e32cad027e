namespace Eventide.Operator.Resources;

public sealed class RetentionSpec
{
    public int Days { get; set; } = 90;
}
