using Eventide.Core;
using Eventide.Storage.Processing;

namespace Eventide.Storage.Tests.Processing;

/// <summary>The consume transaction's decisions, without a database: what the claim holds, what is a duplicate, the insert order, poison events.</summary>
public class ConsumePlanTests
{
    private const int Shard = 7;
    private static readonly DateTimeOffset Received = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static EventRecord Event(string site, string id, int minute) =>
        new(site, "pageview", Received.AddMinutes(-minute), id, "/p", null, "u-" + id, null, null, Received);

    private static InboxRow Row(long id, params EventRecord[] events) => new(id, events.Length, Received, InboxCodec.Encode(events));

    [Fact]
    public void Claim_decodes_the_rows_in_order_and_counts_their_events()
    {
        EventRecord[] first = [Event("a", "1", 3), Event("b", "2", 1)];
        EventRecord[] second = [Event("a", "3", 2)];
        var batch = ConsumePlan.Claim(Shard, [Row(10, first), Row(11, second)]);

        Assert.Equal(3, batch.ClaimedEvents);
        Assert.Equal([.. first, .. second], batch.Candidates);
        Assert.Empty(batch.Duplicates);
        Assert.Empty(batch.Dead);
    }

    [Fact]
    public void Claim_keeps_the_first_of_each_site_and_id_and_makes_every_repeat_a_duplicate()
    {
        // The same id at another site is another event; a repeat may differ in its other fields.
        EventRecord[] events = [Event("a", "1", 5), Event("b", "1", 4), Event("a", "1", 3), Event("a", "2", 2), Event("a", "1", 1), Event("b", "2", 0)];
        var batch = ConsumePlan.Claim(Shard, [Row(1, events[..3]), Row(2, events[3..])]);

        var first = events.Select((e, i) => (e, i)).GroupBy(x => (x.e.SiteId, x.e.EventId)).Select(g => g.Min(x => x.i)).ToHashSet();
        Assert.Equal(events.Where((_, i) => first.Contains(i)), batch.Candidates);
        Assert.Equal(events.Where((_, i) => !first.Contains(i)), batch.Duplicates);
        Assert.Equal(6, batch.ClaimedEvents);
    }

    [Fact]
    public void Claim_dead_letters_an_undecodable_row_whole_and_decodes_the_others()
    {
        var good = Event("a", "1", 1);
        var garbage = new InboxRow(21, 40, Received, [0xFF, 0x01, 0x02]);
        var batch = ConsumePlan.Claim(Shard, [Row(20, good), garbage]);

        Assert.Equal([good], batch.Candidates);
        Assert.Equal(41, batch.ClaimedEvents);
        var dead = Assert.Single(batch.Dead);
        Assert.Null(dead.SiteId);
        Assert.Null(dead.EventId);
        Assert.Equal(40, dead.EventCount);
        Assert.Equal(DeadLetterPayload.FromUndecodable(21, Shard, 40, Received, garbage.Payload), dead.Payload);
        Assert.StartsWith("undecodable inbox payload: ", dead.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutKnown_moves_the_known_candidates_to_the_duplicates_in_order_and_leaves_its_input_as_it_was()
    {
        EventRecord[] events = [Event("a", "1", 4), Event("a", "1", 3), Event("b", "1", 2), Event("a", "2", 1), Event("c", "9", 0)];
        var claimed = ConsumePlan.Claim(Shard, [Row(1, events)]);
        HashSet<(string, string)> known = [("b", "1"), ("c", "9"), ("z", "never claimed")];
        var candidatesBefore = claimed.Candidates.ToList();

        var batch = ConsumePlan.WithoutKnown(claimed, known);

        Assert.Equal([events[0], events[3]], batch.Candidates);
        Assert.Equal([events[1], events[2], events[4]], batch.Duplicates);
        Assert.Equal(candidatesBefore, claimed.Candidates);
        Assert.Equal([events[1]], claimed.Duplicates);
        Assert.Same(claimed, ConsumePlan.WithoutKnown(claimed, new HashSet<(string, string)>()));
    }

    [Fact]
    public void InInsertOrder_sorts_by_site_in_ordinal_order_then_by_time()
    {
        // Ordinal: "B" sorts before "a", where a culture-aware comparison would put it after.
        EventRecord[] events = [Event("a", "1", 1), Event("B", "2", 3), Event("a", "3", 9), Event("B", "4", 0), Event("ab", "5", 5)];
        var sorted = ConsumePlan.InInsertOrder(events);

        Assert.Equal(events.OrderBy(e => e.SiteId, StringComparer.Ordinal).ThenBy(e => e.Timestamp), sorted);
        Assert.Equal("1", events[0].EventId);
    }

    [Fact]
    public void SplitPoison_dead_letters_each_refused_event_with_its_error_and_keeps_the_rest_in_order()
    {
        EventRecord[] inserted = [Event("a", "1", 3), Event("a", "2", 2), Event("b", "3", 1), Event("b", "4", 0)];
        string?[] poison = [null, "invalid input syntax for type json", null, "value too long"];

        var (stored, poisoned) = ConsumePlan.SplitPoison(inserted, poison);

        Assert.Equal([inserted[0], inserted[2]], stored);
        Assert.Equal(
            [
                new DeadLetterEntry("a", "2", DeadLetterPayload.FromEvent(inserted[1]), "invalid input syntax for type json", 1),
                new DeadLetterEntry("b", "4", DeadLetterPayload.FromEvent(inserted[3]), "value too long", 1),
            ],
            poisoned);
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsumePlan.SplitPoison(inserted, poison[..3]));
    }

    [Theory]
    [InlineData("22P02", true)] // invalid text representation (bad jsonb)
    [InlineData("22021", true)] // invalid byte sequence
    [InlineData("23505", true)] // unique violation: a duplicate older than the dedupe window
    [InlineData("23514", true)] // check violation, as for a row no partition takes
    [InlineData("40001", false)] // serialization failure
    [InlineData("08006", false)] // connection failure
    [InlineData("57014", false)] // query cancelled (statement timeout)
    public void IsDataError_isolates_only_data_and_constraint_errors(string sqlState, bool isolate) =>
        Assert.Equal(isolate, ConsumePlan.IsDataError(sqlState));
}
