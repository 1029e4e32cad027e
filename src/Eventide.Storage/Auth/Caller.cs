using Eventide.Core;

namespace Eventide.Storage.Auth;

/// <summary>Who sent a request: the admin, a site's writer or reader, or nobody known.</summary>
public sealed record Caller(CallerKind Kind, string? Site)
{
    public static readonly Caller Anonymous = new(CallerKind.None, null);
    public static readonly Caller Admin = new(CallerKind.Admin, null);

    public bool CanWrite(string site) => Kind == CallerKind.Write && Site == site;

    /// <summary>Read keys read their own site; the admin token reads every site. A write key never reads.</summary>
    public bool CanRead(string site) => Kind == CallerKind.Admin || (Kind == CallerKind.Read && Site == site);

    public static Caller ForKey(string site, ApiKeyKind kind) => new(kind == ApiKeyKind.Write ? CallerKind.Write : CallerKind.Read, site);
}
