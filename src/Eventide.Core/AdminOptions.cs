namespace Eventide.Core;

public sealed class AdminOptions
{
    /// <summary>Bearer token for /v1/admin/* and for reading any site; empty disables admin access.</summary>
    public string Token { get; set; } = "";
}
