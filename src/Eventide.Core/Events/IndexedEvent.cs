namespace Eventide.Core.Events;

/// <summary>A valid event and its position in the request.</summary>
public readonly record struct IndexedEvent(int Index, EventRecord Event);
