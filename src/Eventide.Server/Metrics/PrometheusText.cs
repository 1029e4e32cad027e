using System.Globalization;
using System.Text;

namespace Eventide.Server.Metrics;

/// <summary>The Prometheus text exposition format (0.0.4): names, escaping and numbers.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Maps any instrument name to [a-zA-Z_:][a-zA-Z0-9_:]* (dots and dashes become underscores).</summary>
    public static string MetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>Maps a tag key to a label name, [a-zA-Z_][a-zA-Z0-9_]*; names starting with "__" are reserved by Prometheus.</summary>
    public static string LabelName(string name)
    {
        var sanitized = Sanitize(name, allowColon: false);
        return sanitized.StartsWith("__", StringComparison.Ordinal) ? "tag" + sanitized : sanitized;
    }

    /// <summary>A counter's exposed name: the instrument name with "_total" appended once.</summary>
    public static string CounterName(string name)
    {
        var sanitized = MetricName(name);
        return sanitized.EndsWith("_total", StringComparison.Ordinal) ? sanitized : sanitized + "_total";
    }

    /// <summary>Escapes a label value: backslash, double quote and newline.</summary>
    public static string EscapeLabelValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
        {
            return value;
        }
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => sb.Append(@"\\"),
                '"' => sb.Append("\\\""),
                '\n' => sb.Append(@"\n"),
                _ => sb.Append(c),
            };
        }
        return sb.ToString();
    }

    /// <summary>Escapes HELP text: backslash and newline (quotes are literal there).</summary>
    public static string EscapeHelp(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>A sample value: Go-parsable floats, +Inf, -Inf, NaN.</summary>
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A tag value as label text: invariant culture, lower-case booleans.</summary>
    public static string TagValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Renders {k="v",...} for sorted, sanitized label names and raw values; "" when there are none.</summary>
    public static string LabelSet(IReadOnlyList<string> names, IReadOnlyList<string> values)
    {
        if (names.Count == 0)
        {
            return "";
        }
        var sb = new StringBuilder("{");
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(names[i]).Append("=\"").Append(EscapeLabelValue(values[i])).Append('"');
        }
        return sb.Append('}').ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        // A leading digit is kept behind an underscore rather than replaced, so "5xx" stays readable as "_5xx".
        var prefix = name.Length == 0 || char.IsAsciiDigit(name[0]) ? "_" : "";
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':')))
            {
                chars[i] = '_';
            }
        }
        return prefix + new string(chars);
    }
}
