using System.Security.Cryptography;
using System.Text;

namespace Eventide.Storage.Processing;

/// <summary>
/// The dedupe record's key of an event (migration 0170): the first 16 bytes of SHA-256 over the
/// UTF-8 of <c>site_id + "/" + event_id</c>, as a uuid. <c>eventide.event_key(site_id, event_id)</c>
/// is the same function in SQL; a test holds the two equal.
/// </summary>
internal static class EventKey
{
    // site_id is at most 64 ASCII characters and event_id at most 128 characters of up to
    // 3 UTF-8 bytes each (a UTF-16 surrogate pair, 2 chars, is 4 bytes): 64 + 1 + 384.
    private const int MaxBytes = 64 + 1 + (128 * 3);

    /// <summary>fast path: no allocation; the stack holds the bytes and the digest.</summary>
    public static Guid Of(string siteId, string eventId)
    {
        var length = Encoding.UTF8.GetByteCount(siteId) + 1 + Encoding.UTF8.GetByteCount(eventId);
        // Longer ids than ingestion accepts (a replayed dead letter edited by hand) still get a key.
        Span<byte> bytes = length <= MaxBytes ? stackalloc byte[MaxBytes] : new byte[length];
        var written = Encoding.UTF8.GetBytes(siteId, bytes);
        bytes[written++] = (byte)'/';
        written += Encoding.UTF8.GetBytes(eventId, bytes[written..]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..written], digest);
        // Big-endian: the uuid's bytes are the digest's, in order (Npgsql writes a Guid in RFC 4122 order).
        return new Guid(digest[..16], bigEndian: true);
    }

    /// <summary>The keys of <paramref name="events"/>, in order.</summary>
    public static Guid[] Of(IReadOnlyList<Core.EventRecord> events)
    {
        var keys = new Guid[events.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Of(events[i].SiteId, events[i].EventId);
        }
        return keys;
    }
}
