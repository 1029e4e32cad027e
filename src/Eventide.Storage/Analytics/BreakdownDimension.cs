namespace Eventide.Storage.Analytics;

public enum BreakdownDimension
{
    Path,
    Name,
    Referrer,
    User,
    Property,
}
