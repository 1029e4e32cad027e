namespace Eventide.Core.Events;

/// <summary>
/// Parses the payload shapes the systems Eventide replaces send to their routes: the aliases
/// eventType (name), eventId (event_id), payload and data (properties); unknown top-level
/// fields kept in properties; and a missing site_id taken from <see cref="DefaultSite"/>.
/// </summary>
/// <param name="DefaultSite">The site of the write key, used for events without site_id; null makes site_id required.</param>
public sealed record SeedShapes(string? DefaultSite);
