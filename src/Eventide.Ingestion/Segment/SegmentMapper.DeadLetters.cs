using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eventide.Core.Events;

namespace Eventide.Ingestion.Segment;

public sealed partial class SegmentMapper
{
    private static SegmentRejection Reject(int index, JsonElement message, string reason, RejectReason kind)
    {
        string? messageId = null;
        if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("messageId"u8, out var id) && id.ValueKind == JsonValueKind.String)
        {
            try
            {
                messageId = id.GetString();
            }
            catch (InvalidOperationException)
            {
                messageId = null;
            }
        }
        var raw = JsonMarshal.GetRawUtf8Value(message);
        var deadLetterId = string.IsNullOrEmpty(messageId) || messageId.Contains('\0', StringComparison.Ordinal)
            ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw))
            : messageId;
        return new SegmentRejection(index, messageId, reason, kind, deadLetterId, DeadLetterPayload(raw));
    }

    /// <summary>
    /// The message as it was sent, when jsonb can hold it; jsonb refuses \u0000 and unpaired
    /// surrogate escapes, so such a message is kept as a JSON string of its text instead.
    /// </summary>
    public static string DeadLetterPayload(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return JsonbCanHold(raw) ? text : JsonSerializer.Serialize(text);
    }

    private static bool JsonbCanHold(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf((byte)'\\'); i >= 0 && i + 1 < raw.Length; i = NextBackslash(raw, i + 2))
        {
            if (raw[i + 1] != 'u' || i + 6 > raw.Length)
            {
                continue;
            }
            if (!int.TryParse(Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                || code == 0 || code is >= 0xD800 and <= 0xDFFF)
            {
                // Escaped surrogates are rare enough that even a valid pair takes the safe path.
                return false;
            }
        }
        return true;
    }

    private static int NextBackslash(ReadOnlySpan<byte> raw, int from)
    {
        if (from >= raw.Length)
        {
            return -1;
        }
        var next = raw[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }
}
