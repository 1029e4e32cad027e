namespace Eventide.Storage.Auth;

public enum CallerKind
{
    None,
    Admin,
    Write,
    Read,
}
