using System.Text.RegularExpressions;

namespace Eventide.Reliability.Tests.Security;

/// <summary>
/// Finds every place in C# source where something that is not a literal is spliced into
/// SQL text: holes of interpolated strings whose text reads as SQL, and SQL literals
/// concatenated (with + or a chained Append) to an expression.
/// </summary>
public static partial class SqlTextScanner
{
    /// <summary>A splice: the file, the 1-based line and the spliced expression.</summary>
    public readonly record struct Splice(string File, int Line, string Expression);

    [GeneratedRegex(@"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|TRUNCATE|ALTER|LOCK TABLE|LISTEN|NOTIFY|SET LOCAL|UNION ALL|WHERE|AND|ORDER BY|LIMIT|FROM)\b")]
    private static partial Regex SqlWords();

    [GeneratedRegex("\"(?<lit>(?:[^\"\\\\\\n]|\\\\.)*)\"\\s*\\+\\s*(?![\\s\"$@])(?<expr>[^;,\\n]+)|(?<expr>[A-Za-z_][\\w.()]*)\\s*\\+\\s*\"(?<lit>(?:[^\"\\\\\\n]|\\\\.)*)\"")]
    private static partial Regex Concatenation();

    [GeneratedRegex("\\.Append\\(\\s*\"(?<lit>([^\"\\\\]|\\\\.)*)\"\\s*\\)\\s*\\.Append\\((?<expr>[^\"][^)]*\\)?)\\)")]
    private static partial Regex ChainedAppend();

    public static List<Splice> Scan(string file, string text)
    {
        var splices = new List<Splice>();
        for (var i = 0; i < text.Length; i++)
        {
            // A '$' inside a plain literal ("$", '$') starts nothing.
            if (text[i] != '$' || (i > 0 && text[i - 1] is '"' or '\''))
            {
                continue;
            }
            var j = i;
            while (j < text.Length && text[j] is '$' or '@')
            {
                j++;
            }
            if (j >= text.Length || text[j] != '"')
            {
                continue;
            }
            var verbatim = text[i..j].Contains('@', StringComparison.Ordinal);
            var raw = text.AsSpan(j).StartsWith("\"\"\"");
            var (content, end) = raw ? RawLiteral(text, j) : QuotedLiteral(text, j, verbatim);
            if (SqlWords().IsMatch(content))
            {
                foreach (var hole in Holes(content))
                {
                    splices.Add(new Splice(file, LineOf(text, i), hole));
                }
            }
            i = end;
        }
        foreach (Match m in ChainedAppend().Matches(text))
        {
            if (SqlWords().IsMatch(m.Groups["lit"].Value))
            {
                splices.Add(new Splice(file, LineOf(text, m.Index), m.Groups["expr"].Value.Trim()));
            }
        }
        foreach (Match m in Concatenation().Matches(text))
        {
            if (SqlWords().IsMatch(m.Groups["lit"].Value))
            {
                splices.Add(new Splice(file, LineOf(text, m.Index), m.Groups["expr"].Value.Trim()));
            }
        }
        return splices;
    }

    private static (string Content, int End) RawLiteral(string text, int start)
    {
        var quotes = 0;
        while (start + quotes < text.Length && text[start + quotes] == '"')
        {
            quotes++;
        }
        var close = text.IndexOf(new string('"', quotes), start + quotes, StringComparison.Ordinal);
        return (text[(start + quotes)..close], close + quotes);
    }

    private static (string Content, int End) QuotedLiteral(string text, int start, bool verbatim)
    {
        var i = start + 1;
        var depth = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (depth == 0 && !verbatim && c == '\\')
            {
                i += 2;
                continue;
            }
            if (depth == 0 && !verbatim && c == '\n')
            {
                break;
            }
            if (depth == 0 && c == '"')
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == '"')
                {
                    i += 2;
                    continue;
                }
                break;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            depth = Math.Max(depth, 0);
            i++;
        }
        return (text[(start + 1)..i], i);
    }

    /// <summary>The expressions of the {holes}; {{ and }} are literal braces.</summary>
    private static IEnumerable<string> Holes(string content)
    {
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] != '{')
            {
                continue;
            }
            if (i + 1 < content.Length && content[i + 1] == '{')
            {
                i++;
                continue;
            }
            var depth = 1;
            var j = i + 1;
            while (j < content.Length && depth > 0)
            {
                depth += content[j] == '{' ? 1 : content[j] == '}' ? -1 : 0;
                j++;
            }
            yield return content[(i + 1)..(j - 1)].Trim();
            i = j - 1;
        }
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
