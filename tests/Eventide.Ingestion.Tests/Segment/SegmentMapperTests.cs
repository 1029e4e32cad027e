using System.Text.Json;
using System.Text.Json.Nodes;
using Eventide.Core;
using Eventide.Core.Events;
using Eventide.Ingestion.Segment;

namespace Eventide.Ingestion.Tests.Segment;

public class SegmentMapperTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly SegmentMapper _mapper = new(new IngestionOptions(), new RetentionOptions());

    private SegmentMapping Map(string json, SegmentMessageType? type = null)
    {
        using var doc = JsonDocument.Parse(json);
        return _mapper.Map(doc.RootElement, type, "site", ReceivedAt);
    }

    [Fact]
    public void Map_corrects_the_timestamp_with_the_message_sent_at_before_the_batch_one()
    {
        var mapping = Map("""
            {"sentAt":"2026-11-22T12:00:05Z","batch":[
              {"type":"track","event":"a","userId":"u","timestamp":"2026-11-22T12:00:00Z"},
              {"type":"track","event":"b","userId":"u","timestamp":"2026-11-22T12:00:00Z","sentAt":"2026-11-22T12:01:00Z"}]}
            """);

        Assert.Equal([ReceivedAt.AddSeconds(-5), ReceivedAt.AddMinutes(-1)], mapping.Accepted.Select(e => e.Timestamp));
    }

    [Fact]
    public void Map_keeps_a_colliding_context_aside_and_uses_the_batch_context_as_default()
    {
        var mapping = Map("""
            {"context":{"ip":"1.2.3.4"},"batch":[
              {"type":"track","event":"a","userId":"u","properties":{"context":"mine"}},
              {"type":"track","event":"b","userId":"u","context":{"ip":"5.6.7.8"}}]}
            """);

        var first = JsonNode.Parse(mapping.Accepted[0].Properties!)!;
        Assert.Equal(("mine", "1.2.3.4"), ((string?)first["context"], (string?)first["$context"]!["ip"]));
        Assert.Equal("5.6.7.8", (string?)JsonNode.Parse(mapping.Accepted[1].Properties!)!["context"]!["ip"]);
    }

    [Fact]
    public void Map_takes_a_numeric_user_id_as_text_and_falls_back_to_the_anonymous_id()
    {
        var mapping = Map("""{"batch":[{"type":"identify","userId":42},{"type":"identify","userId":"","anonymousId":"anon"}]}""");

        Assert.Equal(["42", "anon"], mapping.Accepted.Select(e => e.UserId));
    }

    [Fact]
    public void Map_rejects_what_the_event_model_rejects_naming_the_segment_field()
    {
        var mapping = Map($$$"""
            {"batch":[
              {"type":"track","event":"{{{new string('n', 129)}}}","userId":"u"},
              {"type":"page","userId":"u","properties":{"path":"{{{new string('p', 2049)}}}"}},
              {"type":"track","event":"e","userId":"u","messageId":"{{{new string('m', 129)}}}"},
              {"type":"track","event":"e","userId":"u","properties":{"a":1,"a":2}},
              {"type":"track","event":"e","anonymousId":"u","properties":[]},
              {"type":"track","event":"e","userId":"u","timestamp":"yesterday"},
              "not an object",
              {"type":"track","event":"bad \ud800 text","userId":"u"}]}
            """);

        Assert.Empty(mapping.Accepted);
        Assert.Equal(8, mapping.Count);
        string[] expected = ["event:", "path (", "messageId:", "properties (", "properties:", "timestamp:", "Each message must be a JSON object", "A string holds an invalid"];
        Assert.Equal(Enumerable.Range(0, 8), mapping.Rejected.Select(r => r.Index));
        Assert.All(mapping.Rejected.Zip(expected), x => Assert.StartsWith(x.Second, x.First.Reason, StringComparison.Ordinal));
        Assert.All(mapping.Rejected, r => Assert.Equal(RejectReason.Invalid, r.Kind));
    }

    [Fact]
    public void Map_assigns_an_event_id_when_the_message_id_is_missing()
    {
        var mapping = Map("""{"event":"e","userId":"u"}""", SegmentMessageType.Track);

        Assert.True(Guid.TryParse(Assert.Single(mapping.Accepted).EventId, out var id));
        Assert.Equal(7, id.Version);
    }

    [Fact]
    public void Dead_letter_payload_keeps_text_jsonb_cannot_hold_as_a_string()
    {
        Assert.Equal("""{"a":"\\u0000"}""", SegmentMapper.DeadLetterPayload("""{"a":"\\u0000"}"""u8));
        foreach (var unsafeText in new[] { """{"a":"\u0000"}""", """{"a":"\udc00"}""", """{"a":"x\\\u0000"}""" })
        {
            var payload = SegmentMapper.DeadLetterPayload(System.Text.Encoding.UTF8.GetBytes(unsafeText));
            Assert.Equal(unsafeText, JsonSerializer.Deserialize<string>(payload));
        }
    }
}
