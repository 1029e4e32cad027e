using System.Text.RegularExpressions;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Reliability.Tests.Security;

/// <summary>
/// Database access goes through parameters: every splice of a non-literal into SQL text in
/// src/ is either a parameter placeholder from SqlBuilder.Param or on this reviewed list,
/// each with the reason it cannot carry input. A new splice fails the test until reviewed.
/// </summary>
public partial class SqlParameterizationTests(ITestOutputHelper output)
{
    /// <summary>(path under src/, spliced expression) → why it is safe.</summary>
    private static readonly Dictionary<(string File, string Expression), string> Reviewed = new()
    {
        [("Eventide.Storage/Inbox/InboxNotifications.cs", "InboxWriter.NotifyChannel")] = "const channel name; LISTEN takes no parameters",
        [("Eventide.Storage/TimescalePolicies.cs", "refresh")] = "INTERVAL literal built from the integer RetentionOptions.AggregateRefreshDays (configuration, not input)",
        [("Eventide.Storage/TimescalePolicies.cs", "retention.Days")] = "integer from configuration",
        [("Eventide.Storage/TimescalePolicies.cs", "retention.CompressAfterDays")] = "integer from configuration",
        [("Eventide.Storage/Processing/SegmentDeadLetterStore.cs", "DeadLetterSources.Segment")] = "const source name; ON CONFLICT infers the partial unique index only from a literal predicate",
        [("Eventide.Storage/Migrator.cs", "AdvisoryLocks.Migration")] = "const long advisory lock key",
        [("Eventide.Storage/Migrator.cs", "chosen.ToString().ToLowerInvariant()")] = "TimescaleMode enum name (plain/timescale)",
        [("Eventide.Storage/Migrator.cs", "options.Shards")] = "integer from configuration, validated 1-4096",
        [("Eventide.Storage/Processing/PartitionMaintenance.cs", "AdvisoryLocks.Retention")] = "const long advisory lock key",
        [("Eventide.Storage/Inbox/InboxRotator.cs", "AdvisoryLocks.InboxRotation")] = "const long advisory lock key",
        [("Eventide.Storage/Processing/AggregateRefresher.cs", "AdvisoryLocks.AggregateRefresh")] = "const long advisory lock key",
        [("Eventide.Storage/Processing/PartitionMaintenance.cs", "AdvisoryLocks.AggregateRefresh")] = "const long advisory lock key",
        [("Eventide.Storage/Inbox/InboxRotator.cs", "Slots")] = "const int slot count",
        [("Eventide.Storage/Inbox/InboxRotator.cs", "table")] = "\"eventide.inbox_\" + an int slot number 0-3: a fixed partition name (LOCK/TRUNCATE take no parameters)",
        [("Eventide.Storage/Inbox/InboxRotator.cs", "(int)LockTimeout.TotalMilliseconds")] = "int from a const TimeSpan; SET LOCAL takes no parameters",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "s")] = "placeholder returned by sql.Param(site)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "from")] = "placeholder returned by sql.Param(range.From)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "to")] = "placeholder returned by sql.Param(range.To)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "lim")] = "placeholder returned by sql.Param(limit)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "pv")] = "placeholder returned by sql.Param(Pageview)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "width")] = "placeholder returned by sql.Param(bucket width)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "window")] = "placeholder returned by sql.Param(funnel.Window)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "parts")] = "SQL text from SqlBuilder.EventParts: constants and placeholders only",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "users")] = "SQL text from SqlBuilder.UserParts or SqlBuilder.UserCounts: constants and placeholders only",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "SqlBuilder.Origin")] = "const timestamp literal",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "key")] = "column name chosen from the BreakdownDimension enum: \"path\" or \"name\"",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "match")] = "funnel step condition: constants and sql.Param placeholders (built two lines above)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "i")] = "loop counter naming the CTE s1..sN",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "i + 1")] = "loop counter naming the CTE s1..sN",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "column")] = "column name from a fixed list in the loop header (name, path, user_id, session_id)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "t")] = "placeholder returned by sql.Param(cursor time)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "(step.Path is null ? \"\" : $\" AND e.path = {sql.Param(step.Path)}\")")] = "constant text with a sql.Param placeholder",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "raw")] = "SQL text from SqlBuilder.Conditions: constant column tests and Param placeholders only",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "goalBranch")] = "constant text around GoalUserParts' text (built just above)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "GoalUserParts(sql, s, range, where, goal)")] = "SQL text from GoalUserParts: constants, the site/range/goal placeholders and Conditions' text",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "g")] = "placeholder returned by sql.Param(goal)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "metricBranch")] = "constant text with placeholders, MetricColumns' text and Conditions' text (built just above)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "value")] = "MetricColumns: sum()/avg() over a CASE whose property key is a Param placeholder, or a NULL literal; in PropertyBreakdownAsync one of three constants (sum(ms), the avg division, NULL)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "skipped")] = "MetricColumns/MetricParts: count(*) FILTER over a Param placeholder key, or a NULL literal",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "sum")] = "MetricParts: sum() over a CASE whose property key is a Param placeholder, or a NULL literal",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "numbers")] = "MetricParts: count(*) FILTER over a Param placeholder key, or a NULL literal",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "k")] = "placeholder returned by sql.Param(key)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "d")] = "placeholder returned by sql.Param(the materialized days)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "nameCondition")] = "empty, or \" AND name = \" and the placeholder returned by sql.Param(name)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "ranges")] = "time tests joined by OR, each bound a placeholder returned by sql.Param (built just above)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "union")] = "a constant empty relation, or the parts built above from constants and placeholders",
        [("Eventide.Storage/Processing/PropertyDayMaterializer.cs", "AdvisoryLocks.PropertyDays")] = "const long advisory lock key",
        [("Eventide.Storage/Processing/PartitionMaintenance.cs", "AdvisoryLocks.PropertyDays")] = "const long advisory lock key",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "order")] = "constant ORDER BY prefix chosen by whether a metric was asked",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "v")] = "MetricColumns: (properties->placeholder), the placeholder returned by sql.Param(metric.Property)",
        [("Eventide.Storage/Analytics/AnalyticsStore.cs", "present")] = "MetricColumns: an IS NOT NULL test of (properties->placeholder)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "raw")] = "Conditions' raw text: constant column tests and Param placeholders only",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "aggregate")] = "Conditions' aggregate text: constant column tests and Param placeholders only",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "Param(where.Name)")] = "placeholder returned by Param (the builder's own method)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "Param(where.Path)")] = "placeholder returned by Param (the builder's own method)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "Param(key)")] = "placeholder returned by Param (the builder's own method); the property key never enters the text",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "UserRelation(segment.Source)")] = "relation name from the RangeSource enum and ReadsMaterialized: users_1d/1h or users_1d_mat/1h_mat",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "width")] = "UserCounts takes the bucket width's placeholder; its caller passes sql.Param(bucket width)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "Origin")] = "const timestamp literal",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "users")] = "SQL text from UserParts (the builder's own method): constants and placeholders only",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "site")] = "EventParts/UserParts take the site's placeholder; every caller passes sql.Param(site)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "from")] = "placeholder returned by Param(segment.Range.From)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "to")] = "placeholder returned by Param(segment.Range.To)",
        [("Eventide.Storage/Analytics/SqlBuilder.cs", "Relation(segment.Source)")] = "aggregate relation name from the RangeSource enum and ReadsMaterialized (events_1m/1h/1d or events_1m_mat/1h_mat/1d_mat)",
    };

    [Fact]
    public void Sql_text_splices_only_placeholders_and_reviewed_constants()
    {
        var src = Path.Combine(EventideProcess.RepositoryRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"only {files.Count} source files found under {src}");
        var splices = files.SelectMany(f => SqlTextScanner.Scan(RelativeToSrc(src, f), File.ReadAllText(f))).ToList();
        var unreviewed = splices
            .Where(s => !IsPlaceholder(s.Expression) && !Reviewed.ContainsKey((s.File, s.Expression)))
            .ToList();
        output.WriteLine($"{files.Count} files, {splices.Count} splices into SQL text, {splices.Count - unreviewed.Count} placeholders or reviewed");
        Assert.True(unreviewed.Count == 0, "Unreviewed splices into SQL text (use a parameter, or review and list them here):\n" +
            string.Join("\n", unreviewed.Select(s => $"  {s.File}:{s.Line}: {s.Expression}")));
        var stale = Reviewed.Keys.Where(k => !splices.Any(s => (s.File, s.Expression) == k)).ToList();
        Assert.True(stale.Count == 0, "Reviewed entries that no longer occur (remove them): " + string.Join(", ", stale));
    }

    [Fact]
    public void Query_role_holds_no_sql()
    {
        var query = Path.Combine(EventideProcess.RepositoryRoot, "src", "Eventide.Query");
        var files = Directory.EnumerateFiles(query, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 20, $"only {files.Count} source files found under {query}");
        var offending = files
            .Where(f => File.ReadAllText(f) is var text
                && (text.Contains("Npgsql", StringComparison.Ordinal) || SqlStatement().IsMatch(text) || SqlTextScanner.Scan(f, text).Count > 0))
            .Select(f => Path.GetRelativePath(query, f))
            .ToList();
        Assert.True(offending.Count == 0, "SQL belongs in Eventide.Storage; found in Eventide.Query: " + string.Join(", ", offending));
    }

    [Fact]
    public void Scanner_finds_interpolated_and_concatenated_sql()
    {
        const string code = """
            var a = new NpgsqlCommand($"SELECT * FROM t WHERE id = {id}");
            var b = $@"DELETE FROM t WHERE name = '{name}'";
            var c = "SELECT * FROM t WHERE x = " + value;
            sb.Append(" AND name = ").Append(filter);
            var d = $"The value {v} is bad";
            var e = $"WHERE id = {sql.Param(id)}";
            """;
        var found = SqlTextScanner.Scan("x.cs", code).Select(s => s.Expression).ToList();
        Assert.Contains("id", found);
        Assert.Contains("name", found);
        Assert.Contains(found, f => f.Contains("value", StringComparison.Ordinal));
        Assert.Contains("filter", found);
        Assert.DoesNotContain("v", found);
        Assert.Contains("sql.Param(id)", found);
        Assert.True(IsPlaceholder("sql.Param(id)"));
    }

    private static string RelativeToSrc(string src, string file) => Path.GetRelativePath(src, file).Replace(Path.DirectorySeparatorChar, '/');

    [GeneratedRegex(@"\b(SELECT\b[^;]*\bFROM|INSERT INTO|DELETE FROM|UPDATE\s+eventide\.)")]
    private static partial Regex SqlStatement();

    private static bool IsPlaceholder(string expression) =>
        expression.StartsWith("sql.Param(", StringComparison.Ordinal) && expression.EndsWith(')');
}
