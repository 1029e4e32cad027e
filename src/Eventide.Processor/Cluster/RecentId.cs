namespace Eventide.Processor.Cluster;

/// <summary>
/// An event id as a site entity keeps it: a canonical UUID (36 lowercase characters, the
/// ingestion's generated ids and most clients') as its 16 bytes, anything else as its string.
/// The mapping is one-to-one (only the exact lowercase "D" form becomes a Guid; an uppercase
/// UUID stays text), so two keys are equal exactly when their strings are ordinally equal.
/// </summary>
/// <remarks>
/// Fast path: a UUID string is 96 bytes on the heap and, kept by the front, the one object of
/// each stored event that survives into gen2; as 16 bytes inside the front's array it costs no
/// object at all, and the batch's strings die young.
/// </remarks>
internal readonly struct RecentId : IEquatable<RecentId>
{
    private readonly Guid _uuid;
    private readonly string? _text;

    private RecentId(Guid uuid, string? text)
    {
        _uuid = uuid;
        _text = text;
    }

    public static RecentId Of(string eventId)
    {
        if (eventId.Length == 36 && Guid.TryParseExact(eventId, "D", out var uuid))
        {
            Span<char> canonical = stackalloc char[36];
            if (uuid.TryFormat(canonical, out var written, "D") && written == 36 && canonical.SequenceEqual(eventId))
            {
                return new RecentId(uuid, null);
            }
        }
        return new RecentId(default, eventId);
    }

    public bool Equals(RecentId other) =>
        _text is null ? other._text is null && _uuid == other._uuid : string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RecentId other && Equals(other);

    public override int GetHashCode() => _text is null ? _uuid.GetHashCode() : StringComparer.Ordinal.GetHashCode(_text);
}
