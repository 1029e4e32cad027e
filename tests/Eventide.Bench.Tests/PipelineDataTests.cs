using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class PipelineDataTests
{
    [Fact]
    public void TruncateStatement_lists_the_existing_tables_in_lock_order_whatever_order_they_came_in()
    {
        var existing = new[] { "eventide.events_1m_mat", "eventide.events", "eventide.aggregate_dirty", "eventide.inbox", "eventide.event_ids" };

        var sql = PipelineData.TruncateStatement(existing);

        Assert.Equal("TRUNCATE eventide.inbox, eventide.aggregate_dirty, eventide.events, eventide.event_ids, eventide.events_1m_mat", sql);
    }

    [Fact]
    public void TruncateStatement_leaves_out_tables_of_the_other_mode_and_unknown_ones()
    {
        // Timescale mode: no dirty marks and no materialized tables.
        var sql = PipelineData.TruncateStatement(["eventide.sites", "eventide.event_ids", "eventide.inbox", "eventide.events", "eventide.api_keys"]);

        Assert.Equal("TRUNCATE eventide.inbox, eventide.events, eventide.event_ids", sql);
    }

    [Fact]
    public void TruncateStatement_is_null_when_no_pipeline_table_exists() =>
        Assert.Null(PipelineData.TruncateStatement(["eventide.sites"]));

    [Fact]
    public void Tables_take_the_inbox_first_and_the_dirty_marks_before_events()
    {
        // A storing transaction claims inbox rows before anything else, and the refresher reads
        // the marks before events: the truncation must lock in the same order.
        Assert.Equal("eventide.inbox", PipelineData.Tables[0]);
        Assert.True(IndexOf("eventide.aggregate_dirty") < IndexOf("eventide.events"));
        Assert.All(PipelineData.Tables.Where(t => t.EndsWith("_mat", StringComparison.Ordinal)), t => Assert.True(IndexOf(t) > IndexOf("eventide.events")));
        Assert.DoesNotContain("eventide.sites", PipelineData.Tables);
        Assert.DoesNotContain("eventide.api_keys", PipelineData.Tables);
    }

    private static int IndexOf(string table) => PipelineData.Tables.ToList().IndexOf(table);
}
