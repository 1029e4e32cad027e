using System.Buffers.Binary;
using System.Text;

namespace Eventide.Storage.Analytics;

/// <summary>
/// Keyset position for paging raw events in (time DESC, event_id DESC)
/// order: base64url of the time in microseconds since the Unix epoch and the
/// event id. Opaque to clients.
/// </summary>
public readonly record struct EventCursor(DateTimeOffset Time, string EventId)
{
    public string Encode()
    {
        var id = Encoding.UTF8.GetBytes(EventId);
        var bytes = new byte[8 + id.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, (Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        id.CopyTo(bytes, 8);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string text, out EventCursor cursor)
    {
        cursor = default;
        if (text.Length is 0 or > 1024)
        {
            return false;
        }
        var b64 = text.Replace('-', '+').Replace('_', '/');
        b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(b64);
        }
        catch (FormatException)
        {
            return false;
        }
        if (bytes.Length < 9)
        {
            return false;
        }
        var micros = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (micros < 0 || micros > (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10)
        {
            return false;
        }
        var ticks = DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10);
        string id;
        try
        {
            id = new UTF8Encoding(false, true).GetString(bytes, 8, bytes.Length - 8);
        }
        catch (ArgumentException)
        {
            return false;
        }
        cursor = new EventCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
