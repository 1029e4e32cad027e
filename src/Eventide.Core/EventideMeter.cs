namespace Eventide.Core;

/// <summary>
/// The name of the meter every data-plane role creates its instruments on,
/// through the host's IMeterFactory, so that each host (several run in one
/// test process) reports only its own measurements.
/// </summary>
public static class EventideMeter
{
    public const string Name = "Eventide";
}
