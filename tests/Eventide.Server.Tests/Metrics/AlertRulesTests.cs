namespace Eventide.Server.Tests.Metrics;

public class AlertRulesTests
{
    [Fact]
    public async Task Rules_file_passes_promtool_check_rules()
    {
        var (exitCode, output) = await Promtool.RunAsync(["check", "rules", AlertRules.RulesFile]);

        Assert.True(exitCode == 0, $"promtool check rules failed (exit {exitCode}):\n{output}");
        Assert.Contains("SUCCESS: 7 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_pass_their_promtool_unit_tests()
    {
        var (exitCode, output) = await Promtool.RunAsync(["test", "rules", AlertRules.TestFile]);

        Assert.True(exitCode == 0, $"promtool test rules failed (exit {exitCode}):\n{output}");
    }

    [Fact]
    public void Every_alert_has_an_expression_and_the_issue_s_alerts_are_all_there()
    {
        var alerts = AlertRules.Expressions().Select(e => e.Alert).ToList();

        Assert.Equal(
            ["EventideDeadLettersRising", "EventideIngestionServerErrors", "EventideIngestionUnavailable", "EventideOperatorReconcileErrors",
             "EventideProcessorLagGrowing", "EventideProcessorLagOld", "EventideProcessorMemberUnreachable"],
            alerts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Chart_template_ships_the_rules_file_as_a_PrometheusRule_behind_a_value()
    {
        var template = File.ReadAllText(Path.Combine(Eventide.Testing.EventideProcess.RepositoryRoot, "charts", "eventide", "templates", "prometheusrule.yaml"));

        Assert.StartsWith("{{- if .Values.alerts.enabled }}", template, StringComparison.Ordinal);
        Assert.Contains("kind: PrometheusRule", template, StringComparison.Ordinal);
        Assert.Contains("{{- .Files.Get \"alerts/eventide.rules.yaml\" | nindent 2 }}", template, StringComparison.Ordinal);
    }
}
