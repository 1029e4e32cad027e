using System.Globalization;
using System.Text;
using Eventide.Core.Events;

namespace Eventide.Reliability.Tests.Fuzzing;

/// <summary>
/// Seeded generator of request bodies: valid events (site, name or an alias,
/// timestamp, id, path, referrer, user, session, properties), then random
/// mutations of the tree (deletions, type swaps, boundary-length, unicode and
/// control strings, numeric extremes, timestamps far out, deep nesting,
/// duplicate keys, unknown fields, padding) and of the bytes (truncation, byte
/// flips, invalid UTF-8, deletions, BOM, trailing data), wrapped as one
/// object, an array or NDJSON. Case <c>i</c> of seed <c>s</c> is always the same body.
/// </summary>
public sealed class CaseGenerator(int seed, string site, DateTimeOffset receivedAt)
{
    private static readonly string[] Fields = ["site_id", "name", "timestamp", "event_id", "path", "referrer", "user_id", "session_id", "properties"];

    private static readonly string[] Texts =
    [
        "pageview", "click", "😀", "e\u0301", "שלום", "中文", "a\u0001b", "tab\tnew\nline", "\u007f", "\u200b", "\uFEFF", "\"quoted\" \\ back",
        "'; DROP TABLE eventide.events; --", "<script>", "%00", "𝔘𝔫𝔦", " ",
    ];

    private static readonly string[] RawStrings =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud83d\\ude00\"", "\"\\u0061\"", "\"\\/\"", "\"\"",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1e308", "1e309", "-1e309", "1e-400", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809",
        "0.1e1", "1E+2", "4.9e-324",
    ];

    /// <summary>Tokens that are not JSON at all: each makes its whole body invalid.</summary>
    private static readonly string[] NotJson = ["01", "1.", ".5", "NaN", "Infinity", "-", "2e", "\"\\x41\"", "\"\\u12\"", "'a'", "undefined"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80],
    ];

    public FuzzCase Generate(int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var notes = new List<string>();
        var format = random.Next(10) < 3 ? BodyFormat.Ndjson : BodyFormat.Json;
        var count = random.Next(100) switch
        {
            0 => 1001,
            < 50 => 1,
            _ => 1 + random.Next(12),
        };
        if (count > 1000)
        {
            notes.Add("1001 events");
        }
        var events = new List<Json>(count);
        for (var i = 0; i < count; i++)
        {
            var e = ValidEvent(random, count > 1000);
            // A lone event is mutated nine times in ten; in a batch one event in three is, so that
            // batches mix valid and invalid events instead of nearly always holding a broken one.
            var mutated = count == 1 ? random.Next(10) != 0 : random.Next(3) == 0;
            var mutations = mutated ? 1 + random.Next(3) : 0;
            for (var m = 0; m < mutations && count <= 1000; m++)
            {
                Mutate(random, e, notes);
            }
            events.Add(e);
        }

        string text;
        if (format == BodyFormat.Ndjson)
        {
            var sb = new StringBuilder();
            foreach (var e in events)
            {
                if (random.Next(8) == 0)
                {
                    sb.Append(random.Next(2) == 0 ? "\n" : "  \r\n");
                }
                e.WriteTo(sb);
                sb.Append(random.Next(4) == 0 ? "\r\n" : "\n");
            }
            text = sb.ToString();
        }
        else
        {
            text = count == 1 && random.Next(2) == 0 ? events[0].Render() : new Arr(events).Render();
        }
        var body = Encoding.UTF8.GetBytes(text);
        if (random.Next(4) == 0)
        {
            body = MutateBytes(random, body, notes);
        }
        return new FuzzCase(body, format, random.Next(5) == 0, string.Join("; ", notes));
    }

    private Obj ValidEvent(Random random, bool tiny)
    {
        var e = new Obj();
        e.Add("site_id", Json.Str(random.Next(5) == 0 ? RandomSite(random) : site));
        e.Add(random.Next(10) switch { 0 => "event_type", 1 => "type", _ => "name" }, Json.Str(random.Next(3) == 0 ? Pick(random, Texts).Trim() is { Length: > 0 } t ? t : "x" : "pageview"));
        if (tiny)
        {
            return e;
        }
        if (random.Next(10) < 7)
        {
            var ts = receivedAt - TimeSpan.FromSeconds(random.NextDouble() * 399 * 86400);
            e.Add("timestamp", Json.Str(random.Next(2) == 0
                ? ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                : ts.ToOffset(TimeSpan.FromHours(random.Next(-12, 13))).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)));
        }
        if (random.Next(10) < 7)
        {
            e.Add("event_id", Json.Str("f-" + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture) + random.NextInt64().ToString("x16", CultureInfo.InvariantCulture)));
        }
        if (random.Next(2) == 0)
        {
            e.Add("path", Json.Str("/" + RandomText(random, random.Next(40))));
        }
        if (random.Next(5) == 0)
        {
            e.Add("referrer", random.Next(4) == 0 ? new Raw("null") : Json.Str("https://example.com/" + RandomText(random, 10)));
        }
        if (random.Next(5) < 2)
        {
            e.Add("user_id", Json.Str("u-" + random.Next(1000)));
        }
        if (random.Next(10) < 3)
        {
            e.Add("session_id", Json.Str("s-" + random.Next(1000)));
        }
        if (random.Next(5) < 2)
        {
            e.Add("properties", RandomObject(random, 1 + random.Next(3)));
        }
        return e;
    }

    private void Mutate(Random random, Obj e, List<string> notes)
    {
        var members = e.Members;
        int Member() => random.Next(members.Count);
        string Target() => Pick(random, Fields);
        void Set(string field, Json value)
        {
            var key = Json.Quote(field);
            var at = members.FindIndex(m => m.Key == key);
            if (at >= 0)
            {
                members[at] = (key, value);
            }
            else
            {
                members.Insert(random.Next(members.Count + 1), (key, value));
            }
        }

        switch (random.Next(15))
        {
            case 14 when members.Count > 0:
                var broken = Member();
                members[broken] = (members[broken].Key, new Raw(Pick(random, NotJson)));
                notes.Add($"not JSON in {members[broken].Key}");
                break;
            case 0 when members.Count > 0:
                var deleted = Member();
                notes.Add($"deleted {members[deleted].Key}");
                members.RemoveAt(deleted);
                break;
            case 1 when members.Count > 0:
                var swap = Member();
                members[swap] = (members[swap].Key, RandomValue(random, 2));
                notes.Add($"type swap of {members[swap].Key}");
                break;
            case 2:
                var (field, limit) = Pick(random, new[] { ("name", 128), ("site_id", 64), ("event_id", 128), ("path", 2048), ("referrer", 2048), ("user_id", 256), ("session_id", 256) });
                var length = limit + random.Next(-1, 2);
                // Emoji are two UTF-16 units each: the limit counts units, not bytes or code points.
                var text = random.Next(3) == 0 ? string.Concat(Enumerable.Repeat("😀", length / 2)) + (length % 2 == 1 ? "a" : "") : new string(field == "site_id" ? 's' : 'é', length);
                Set(field, Json.Str(text));
                notes.Add($"{field} of {length} units");
                break;
            case 3:
                var target = Target();
                Set(target, random.Next(2) == 0 ? Json.Str(Pick(random, Texts)) : new Raw(Pick(random, RawStrings)));
                notes.Add($"odd text in {target}");
                break;
            case 4:
                var props = RandomObject(random, 1);
                props.Members.Add((Json.Quote("n"), new Raw(Pick(random, Numbers))));
                Set("properties", props);
                notes.Add("numeric extreme in properties");
                break;
            case 5:
                Set("timestamp", Timestamp(random));
                notes.Add("odd timestamp");
                break;
            case 6:
                var depth = Pick(random, new[] { 7, 8, 9, 20, 70 });
                Json nested = new Raw("1");
                for (var i = 1; i < depth; i++)
                {
                    nested = random.Next(3) == 0 ? new Arr([nested]) : new Obj().Add("d", nested);
                }
                Set("properties", new Obj().Add("d", nested));
                notes.Add($"properties {depth} deep");
                break;
            case 7 when members.Count > 0:
                var dup = members[Member()];
                members.Insert(random.Next(members.Count + 1), (dup.Key, RandomValue(random, 1)));
                notes.Add($"duplicate {dup.Key}");
                break;
            case 8:
                Set(Pick(random, new[] { "name", "type", "event_type" }), Json.Str("alias"));
                Set(Pick(random, new[] { "name", "type", "event_type" }), Json.Str("alias"));
                notes.Add("name aliases");
                break;
            case 9:
                var escaped = Pick(random, new[] { "\"\\u0073ite_id\"", "\"n\\u0061me\"", "\"\\u0070ath\"" });
                members.Insert(random.Next(members.Count + 1), (escaped, Json.Str("esc")));
                notes.Add($"escaped key {escaped}");
                break;
            case 10:
                var p = new Obj().Add("k", Json.Str("a")).Add(random.Next(2) == 0 ? "k" : "\u006b", Json.Str("b"));
                p.Members.Insert(0, ("\"\\u006b\"", Json.Str("c")));
                Set("properties", random.Next(2) == 0 ? p : new Obj().Add("inner", p));
                notes.Add("duplicate property keys");
                break;
            case 11:
                members.Insert(random.Next(members.Count + 1), (Json.Quote(Pick(random, new[] { "nam", "Name", "extra", "site", "" })), Json.Str("u")));
                notes.Add("unknown field");
                break;
            case 12:
                var size = 16 * 1024 + random.Next(-40, 40);
                Set("properties", new Obj().Add("blob", Json.Str(new string('x', size - 12))));
                notes.Add($"properties of about {size} bytes");
                break;
            default:
                // Whitespace inside the event: counts against the 32 KiB event limit, not the properties'.
                var pad = random.Next(2) == 0 ? 100 : 33 * 1024;
                members.Insert(random.Next(members.Count + 1), (new string(' ', pad) + Json.Quote("path"), Json.Str("/pad")));
                notes.Add($"{pad} bytes of padding");
                break;
        }
    }

    private static byte[] MutateBytes(Random random, byte[] body, List<string> notes)
    {
        var list = body.ToList();
        switch (random.Next(6))
        {
            case 0:
                var cut = random.Next(list.Count + 1);
                notes.Add($"truncated at {cut}");
                return [.. list.Take(cut)];
            case 1:
                var flips = 1 + random.Next(3);
                for (var i = 0; i < flips && list.Count > 0; i++)
                {
                    list[random.Next(list.Count)] = (byte)random.Next(256);
                }
                notes.Add($"{flips} bytes flipped");
                break;
            case 2:
                var bad = Pick(random, BadUtf8);
                var at = list.IndexOf((byte)'"') is var q and >= 0 && random.Next(2) == 0 ? q + 1 : random.Next(list.Count + 1);
                list.InsertRange(at, bad);
                notes.Add($"invalid UTF-8 {Convert.ToHexString(bad)} at {at}");
                break;
            case 3 when list.Count > 0:
                var from = random.Next(list.Count);
                var n = Math.Min(list.Count - from, 1 + random.Next(8));
                list.RemoveRange(from, n);
                notes.Add($"{n} bytes deleted at {from}");
                break;
            case 4:
                list.InsertRange(0, new byte[] { 0xEF, 0xBB, 0xBF });
                notes.Add("BOM");
                break;
            default:
                list.AddRange(Encoding.UTF8.GetBytes(Pick(random, new[] { "x", "{}", "]", " \n ", "\0", "[]" })));
                notes.Add("trailing data");
                break;
        }
        return [.. list];
    }

    private Json Timestamp(Random random)
    {
        string Fmt(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return random.Next(16) switch
        {
            0 => Json.Str(Fmt(receivedAt.AddMinutes(59))),
            1 => Json.Str(Fmt(receivedAt.AddMinutes(61))),
            2 => Json.Str(Fmt(receivedAt.AddDays(-399))),
            3 => Json.Str(Fmt(receivedAt.AddDays(-401))),
            4 => Json.Str("0001-01-01T00:00:00Z"),
            5 => Json.Str("9999-12-31T23:59:59Z"),
            6 => Json.Str("2026-11-22"),
            7 => Json.Str(receivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
            8 => Json.Str(receivedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            9 => Json.Str("2026-13-45T25:61:61Z"),
            10 => new Raw(receivedAt.AddMinutes(-5).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            11 => new Raw(Pick(random, random.Next(4) == 0 ? NotJson : Numbers)),
            12 => new Raw("\"" + Fmt(receivedAt).Replace("-", "\\u002d", StringComparison.Ordinal) + "\""),
            13 => Json.Str(receivedAt.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture)),
            14 => Json.Str(Fmt(receivedAt).ToLowerInvariant()),
            _ => Json.Str(receivedAt.AddSeconds(-30).ToString("yyyy-MM-dd'T'HH:mm:ss.fff+00:00", CultureInfo.InvariantCulture)),
        };
    }

    private static Obj RandomObject(Random random, int depth)
    {
        var o = new Obj();
        var keys = random.Next(5);
        for (var i = 0; i < keys; i++)
        {
            o.Add("k" + i + RandomText(random, random.Next(3)), RandomValue(random, depth - 1));
        }
        return o;
    }

    private static Json RandomValue(Random random, int depth) => random.Next(depth > 0 ? 8 : 6) switch
    {
        0 => Json.Str(Pick(random, Texts)),
        1 => Json.Num(Math.Round(random.NextDouble() * 1000, 3)),
        2 => new Raw(random.Next(2) == 0 ? "true" : "false"),
        3 => new Raw("null"),
        4 => new Raw(Pick(random, RawStrings)),
        5 => Json.Str(RandomText(random, random.Next(20))),
        6 => RandomObject(random, depth),
        _ => new Arr([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth - 1))]),
    };

    private static string RandomSite(Random random)
    {
        const string chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        return new string([.. Enumerable.Range(0, 1 + random.Next(64)).Select(_ => chars[random.Next(chars.Length)])]);
    }

    private static string RandomText(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => random.Next(20) == 0 ? (char)random.Next(0x20, 0xD7FF) : (char)random.Next('a', 'z' + 1))]);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
