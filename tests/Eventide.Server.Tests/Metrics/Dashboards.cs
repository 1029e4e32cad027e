using System.Text.Json;
using System.Text.RegularExpressions;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

/// <summary>Reads the Grafana dashboards under charts/eventide/dashboards and the metric names their PromQL selects.</summary>
public static partial class Dashboards
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2",
    };

    public static string DirectoryPath => Path.Combine(EventideProcess.RepositoryRoot, "charts", "eventide", "dashboards");

    public static IEnumerable<string> Files() => Directory.EnumerateFiles(DirectoryPath, "*.json").Order(StringComparer.Ordinal);

    /// <summary>(file name, expr) for every query target of every dashboard.</summary>
    public static IEnumerable<(string Dashboard, string Expr)> Expressions()
    {
        foreach (var file in Files())
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var expr in ExprValues(json.RootElement))
            {
                yield return (Path.GetFileName(file), expr);
            }
        }
    }

    /// <summary>(file name, selector) for every dashboard variable of the form label_values(selector, label).</summary>
    public static IEnumerable<(string Dashboard, string Selector)> VariableSelectors()
    {
        foreach (var file in Files())
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var variable in json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                var query = variable.TryGetProperty("query", out var q) ? q.ValueKind == JsonValueKind.Object ? q.GetProperty("query").GetString() : q.GetString() : null;
                if (query is not null && LabelValuesPattern().Match(query) is { Success: true } m)
                {
                    yield return (Path.GetFileName(file), m.Groups["selector"].Value);
                }
            }
        }
    }

    /// <summary>Grafana variables replaced by values Prometheus accepts: intervals by 1m, label variables by ".*".</summary>
    public static string Instantiate(string expr) =>
        VariablePattern().Replace(expr, m => m.Groups["name"].Value is "__rate_interval" or "__interval" or "__range" ? "1m" : ".*");

    /// <summary>The metric names an expression selects: identifiers that are not functions, keywords, label names, strings or durations.</summary>
    public static ISet<string> MetricNames(string expr)
    {
        var text = StringPattern().Replace(expr, " ");
        text = LabelMatcherPattern().Replace(text, " ");
        text = RangePattern().Replace(text, " ");
        text = GroupingPattern().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in IdentifierPattern().Matches(text))
        {
            if (!Keywords.Contains(m.Value))
            {
                names.Add(m.Value);
            }
        }
        return names;
    }

    private static IEnumerable<string> ExprValues(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var nested in ExprValues(property.Value))
                        {
                            yield return nested;
                        }
                    }
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in ExprValues(item))
                    {
                        yield return nested;
                    }
                }
                break;
        }
    }

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*\w+\)$")]
    private static partial Regex LabelValuesPattern();

    [GeneratedRegex(@"\$\{?(?<name>\w+)(:\w+)?\}?")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`")]
    private static partial Regex StringPattern();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatcherPattern();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangePattern();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingPattern();

    // An identifier not inside a number or duration and not followed by "(" (a function call).
    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()(?![a-zA-Z0-9_:])")]
    private static partial Regex IdentifierPattern();
}
