namespace Eventide.Query;

public enum BreakdownDimension
{
    Path,
    Name,
    Referrer,
    User,
    Property,
}
