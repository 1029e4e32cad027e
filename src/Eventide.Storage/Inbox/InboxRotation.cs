namespace Eventide.Storage.Inbox;

/// <summary>
/// What one rotation pass did: whether it advanced the current slot, the slot
/// inserts now go to, and the slots it truncated. <see cref="CurrentSlot"/> is
/// -1 when another replica held the rotation lock.
/// </summary>
public sealed record InboxRotation(bool Advanced, int CurrentSlot, IReadOnlyList<int> TruncatedSlots);
