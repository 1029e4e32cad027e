namespace Eventide.Core;

/// <summary>Site ids are 1–64 characters of <c>[A-Za-z0-9._-]</c> .</summary>
public static class SiteId
{
    public const int MaxLength = 64;

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}
