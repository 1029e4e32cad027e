using System.Text.RegularExpressions;
using Eventide.Testing;

namespace Eventide.Server.Tests.Metrics;

/// <summary>The chart's alerting rules (charts/eventide/alerts/eventide.rules.yaml) and their promtool unit tests.</summary>
public static partial class AlertRules
{
    public static string RulesFile => Path.Combine(EventideProcess.RepositoryRoot, "charts", "eventide", "alerts", "eventide.rules.yaml");

    /// <summary>The promtool unit tests beside this file (copied to the output directory would break the relative rule_files path).</summary>
    public static string TestFile => Path.Combine(EventideProcess.RepositoryRoot, "tests", "Eventide.Server.Tests", "Metrics", "alerts.test.yaml");

    /// <summary>(alert name, expr) of every rule; the file keeps each expr on one line.</summary>
    public static IEnumerable<(string Alert, string Expr)> Expressions()
    {
        string? alert = null;
        foreach (var line in File.ReadLines(RulesFile))
        {
            if (AlertPattern().Match(line) is { Success: true } a)
            {
                alert = a.Groups["name"].Value;
            }
            else if (ExprPattern().Match(line) is { Success: true } e && alert is not null)
            {
                yield return (alert, e.Groups["expr"].Value);
                alert = null;
            }
        }
    }

    [GeneratedRegex(@"^\s*- alert: (?<name>\w+)\s*$")]
    private static partial Regex AlertPattern();

    [GeneratedRegex(@"^\s*expr: (?<expr>.+)$")]
    private static partial Regex ExprPattern();
}
