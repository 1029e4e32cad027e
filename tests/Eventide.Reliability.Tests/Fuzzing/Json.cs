using System.Globalization;
using System.Text;

namespace Eventide.Reliability.Tests.Fuzzing;

/// <summary>
/// A JSON tree the fuzzer can break in ways a serializer never would: duplicate
/// keys, raw (already escaped) key and value text, invalid escapes, odd numbers.
/// </summary>
public abstract record Json
{
    private static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    public abstract void WriteTo(StringBuilder sb);

    /// <summary>The JSON text (records print themselves differently with ToString).</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }

    /// <summary>A JSON string literal for <paramref name="value"/>, escaping only what JSON requires.</summary>
    public static Raw Str(string value) => new(Quote(value));

    public static Raw Num(double value) => new(value.ToString("R", CultureInfo.InvariantCulture));

    public static string Quote(string value)
    {
        if (!value.AsSpan().ContainsAny(Escaped))
        {
            return "\"" + value + "\"";
        }
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>Literal JSON text: a number, true/false/null, or a string literal with its quotes.</summary>
public sealed record Raw(string Text) : Json
{
    public override void WriteTo(StringBuilder sb) => sb.Append(Text);
}

/// <summary>An object whose member keys are raw string literals (quotes included), duplicates allowed.</summary>
public sealed record Obj(List<(string Key, Json Value)> Members) : Json
{
    public Obj() : this([]) { }

    public Obj Add(string key, Json value)
    {
        Members.Add((Quote(key), value));
        return this;
    }

    public override void WriteTo(StringBuilder sb)
    {
        sb.Append('{');
        for (var i = 0; i < Members.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(Members[i].Key).Append(':');
            Members[i].Value.WriteTo(sb);
        }
        sb.Append('}');
    }
}

public sealed record Arr(List<Json> Items) : Json
{
    public override void WriteTo(StringBuilder sb)
    {
        sb.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            Items[i].WriteTo(sb);
        }
        sb.Append(']');
    }
}
