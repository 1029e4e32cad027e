namespace Eventide.Query.Parameters;

/// <summary>Endpoint metadata: the default and the largest 'limit' the endpoint takes.</summary>
public sealed record QueryLimit(int Default, int Max)
{
    public static readonly QueryLimit Top = new(10, 1000);
}
