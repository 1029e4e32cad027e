namespace Eventide.Core;

public enum ApiKeyKind
{
    Write,
    Read,
}
