using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Eventide.Core;

/// <summary>
/// The compact encoding of the events in one inbox row.
/// Layout: version byte (1), varint event count, then per event: site id,
/// name, event id (varint length + UTF-8), timestamp and received-at
/// (int64 little-endian microseconds since the Unix epoch), then path,
/// referrer, user id, session id and properties as varint (length + 1)
/// + UTF-8, where 0 means null.
/// </summary>
public static class InboxCodec
{
    public const byte Version = 1;

    public static byte[] Encode(IReadOnlyList<EventRecord> events)
    {
        var writer = new ArrayBufferWriter<byte>(64 + (events.Count * 160));
        Encode(events, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static void Encode(IReadOnlyList<EventRecord> events, IBufferWriter<byte> writer)
    {
        WriteByte(writer, Version);
        WriteVarint(writer, (ulong)events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            WriteString(writer, e.SiteId);
            WriteString(writer, e.Name);
            WriteString(writer, e.EventId);
            WriteInt64(writer, ToMicros(e.Timestamp));
            WriteInt64(writer, ToMicros(e.ReceivedAt));
            WriteOptional(writer, e.Path);
            WriteOptional(writer, e.Referrer);
            WriteOptional(writer, e.UserId);
            WriteOptional(writer, e.SessionId);
            WriteOptional(writer, e.Properties);
        }
    }

    /// <exception cref="FormatException">The payload is truncated, of another version or otherwise malformed.</exception>
    public static List<EventRecord> Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new Reader(payload);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new FormatException($"Inbox payload version {version} is not supported (expected {Version})");
        }
        var count = checked((int)reader.ReadVarint());
        if (count > payload.Length)
        {
            throw new FormatException("Inbox payload event count exceeds its size");
        }
        var events = new List<EventRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var site = reader.ReadString();
            var name = reader.ReadString();
            var id = reader.ReadString();
            var ts = FromMicros(reader.ReadInt64());
            var received = FromMicros(reader.ReadInt64());
            events.Add(new EventRecord(
                site, name, ts, id,
                Path: reader.ReadOptional(),
                Referrer: reader.ReadOptional(),
                UserId: reader.ReadOptional(),
                SessionId: reader.ReadOptional(),
                Properties: reader.ReadOptional(),
                ReceivedAt: received));
        }
        if (!reader.AtEnd)
        {
            throw new FormatException("Inbox payload has trailing bytes");
        }
        return events;
    }

    public static long ToMicros(DateTimeOffset value) => (value.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTimeOffset FromMicros(long micros) =>
        new(DateTime.UnixEpoch.Ticks + (micros * 10), TimeSpan.Zero);

    private static void WriteByte(IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    private static void WriteVarint(IBufferWriter<byte> w, ulong value)
    {
        var span = w.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        w.Advance(n);
    }

    private static void WriteInt64(IBufferWriter<byte> w, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    private static void WriteString(IBufferWriter<byte> w, string value)
    {
        // fast path: encode straight into the writer, no intermediate byte array.
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint(w, (ulong)byteCount);
        var span = w.GetSpan(Math.Max(byteCount, 1));
        w.Advance(Encoding.UTF8.GetBytes(value, span));
    }

    private static void WriteOptional(IBufferWriter<byte> w, string? value)
    {
        if (value is null)
        {
            WriteVarint(w, 0);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint(w, (ulong)byteCount + 1);
        var span = w.GetSpan(Math.Max(byteCount, 1));
        w.Advance(Encoding.UTF8.GetBytes(value, span));
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool AtEnd => _pos == _data.Length;

        public byte ReadByte()
        {
            if (_pos >= _data.Length)
            {
                throw new FormatException("Inbox payload is truncated");
            }
            return _data[_pos++];
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = ReadByte();
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }
            throw new FormatException("Inbox payload has an overlong varint");
        }

        public long ReadInt64()
        {
            if (_pos + 8 > _data.Length)
            {
                throw new FormatException("Inbox payload is truncated");
            }
            var v = BinaryPrimitives.ReadInt64LittleEndian(_data.Slice(_pos, 8));
            _pos += 8;
            return v;
        }

        public string ReadString() => ReadUtf8(ReadVarint());

        public string? ReadOptional()
        {
            var n = ReadVarint();
            return n == 0 ? null : ReadUtf8(n - 1);
        }

        private string ReadUtf8(ulong length)
        {
            if (length > (ulong)(_data.Length - _pos))
            {
                throw new FormatException("Inbox payload is truncated");
            }
            var s = Encoding.UTF8.GetString(_data.Slice(_pos, (int)length));
            _pos += (int)length;
            return s;
        }
    }
}
