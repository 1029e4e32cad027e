using System.Text;
using Eventide.Core.Events;

namespace Eventide.Core.Tests;

public class EventParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static readonly EventParser Parser = new(new IngestionOptions(), new RetentionOptions());

    private static EventBatch Parse(string body, BodyFormat format = BodyFormat.Json, bool tracker = false, EventParser? parser = null) =>
        (parser ?? Parser).Parse(Encoding.UTF8.GetBytes(body), format, Now, tracker);

    private static EventRecord Single(string body, bool tracker = false)
    {
        var batch = Parse(body, tracker: tracker);
        Assert.Equal(BodyProblem.None, batch.Problem);
        Assert.Empty(batch.Errors);
        return Assert.Single(batch.Valid).Event;
    }

    private static EventError Rejected(string body, BodyFormat format = BodyFormat.Json)
    {
        var batch = Parse(body, format);
        Assert.Equal(BodyProblem.None, batch.Problem);
        Assert.Empty(batch.Valid);
        return Assert.Single(batch.Errors);
    }

    [Fact]
    public void Parse_maps_every_field()
    {
        var e = Single("""
            {"site_id":"demo","name":"pageview","timestamp":"2026-11-22T11:30:00.125+02:00","event_id":"abc",
             "path":"/p","referrer":"https://r/","user_id":"u","session_id":"s","properties":{"a": [1, {"b": null}]}}
            """);
        Assert.Equal(new EventRecord("demo", "pageview", new DateTimeOffset(2026, 11, 22, 9, 30, 0, 125, TimeSpan.Zero), "abc",
            "/p", "https://r/", "u", "s", """{"a": [1, {"b": null}]}""", Now), e with { Timestamp = e.Timestamp.ToUniversalTime() });
    }

    [Theory]
    [InlineData("name")]
    [InlineData("event_type")]
    [InlineData("type")]
    public void Parse_accepts_each_alias_of_name(string alias)
    {
        Assert.Equal("signup", Single($"{{\"site_id\":\"demo\",\"{alias}\":\"signup\"}}").Name);
    }

    [Fact]
    public void Parse_defaults_timestamp_to_receive_time_and_assigns_a_uuid_v7()
    {
        var e = Single("""{"site_id":"demo","name":"x","timestamp":null,"path":null}""");
        Assert.Equal(Now, e.Timestamp);
        Assert.Null(e.Path);
        var id = Guid.Parse(e.EventId);
        Assert.Equal(7, id.Version);
    }

    [Fact]
    public void Parse_reports_each_bad_field_of_an_event_under_its_index()
    {
        var batch = Parse("""[{"site_id":"demo","name":"ok"},{"site_id":"bad site","name":7,"path":1}]""");
        Assert.Single(batch.Valid);
        Assert.Equal(2, batch.Count);
        Assert.Equal([(1, "site_id"), (1, "name"), (1, "path")], batch.Errors.Select(e => (e.Index, e.Field)).ToList());
    }

    [Fact]
    public void Parse_requires_site_and_name_once_each()
    {
        Assert.Equal("site_id", Rejected("""{"name":"x"}""").Field);
        Assert.Equal("name", Rejected("""{"site_id":"demo"}""").Field);
        Assert.Contains("aliases", Rejected("""{"site_id":"demo","event_type":"a","name":"b"}""").Message, StringComparison.Ordinal);
        Assert.Contains("more than once", Rejected("""{"site_id":"demo","name":"a","site_id":"demo"}""").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":{"x":1,"y":{"z":1},"x":2}}""")]
    [InlineData("""{"a":"\u0062","b":1,"\u0062":2}""")]
    [InlineData("""{"l":[{"k":1,"k":1}]}""")]
    public void Parse_rejects_duplicate_keys_anywhere_in_properties(string properties)
    {
        var error = Rejected($"{{\"site_id\":\"demo\",\"name\":\"x\",\"properties\":{properties}}}");
        Assert.Equal("properties", error.Field);
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_allows_the_same_key_in_sibling_objects()
    {
        Assert.NotNull(Single("""{"site_id":"demo","name":"x","properties":{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]}}""").Properties);
    }

    [Fact]
    public void Parse_limits_properties_depth_to_the_configured_levels()
    {
        static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "1" + new string('}', depth - 1);
        // The properties object is level 1, so {"p": Nested(n)} is n levels deep.
        Assert.NotNull(Single($"{{\"site_id\":\"demo\",\"name\":\"x\",\"properties\":{{\"p\":{Nested(8)}}}}}").Properties);
        var error = Rejected($"{{\"site_id\":\"demo\",\"name\":\"x\",\"properties\":{{\"p\":{Nested(9)}}}}}");
        Assert.Contains("9 levels", error.Message, StringComparison.Ordinal);
        Assert.Equal(RejectReason.TooLarge, error.Reason);
    }

    [Fact]
    public void Parse_limits_properties_size_in_bytes_as_sent()
    {
        var limit = new IngestionOptions().MaxPropertiesBytes;
        // {"s":"…"} is 8 bytes of syntax around the string.
        var fits = new string('x', limit - 8);
        Assert.NotNull(Single($"{{\"site_id\":\"demo\",\"name\":\"x\",\"properties\":{{\"s\":\"{fits}\"}}}}").Properties);
        var error = Rejected($"{{\"site_id\":\"demo\",\"name\":\"x\",\"properties\":{{\"s\":\"{fits}x\"}}}}");
        Assert.Contains($"{limit + 1} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_rejects_an_event_over_the_event_size_limit()
    {
        var parser = new EventParser(new IngestionOptions { MaxEventBytes = 300 }, new RetentionOptions());
        var batch = Parse($"[{{\"site_id\":\"demo\",\"name\":\"{new string('n', 100)}\",\"path\":\"/{new string('p', 250)}\"}},{{\"site_id\":\"demo\",\"name\":\"ok\"}}]", parser: parser);
        Assert.Equal(1, Assert.Single(batch.Valid).Index);
        Assert.Equal(RejectReason.TooLarge, Assert.Single(batch.Errors).Reason);
    }

    [Fact]
    public void Parse_accepts_timestamps_up_to_the_future_skew_and_back_to_the_retention_horizon()
    {
        string At(DateTimeOffset t) => $"{{\"site_id\":\"demo\",\"name\":\"x\",\"timestamp\":\"{t.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\"}}";
        Assert.Equal(Now.AddHours(1), Single(At(Now.AddHours(1))).Timestamp);
        Assert.Equal(RejectReason.Future, Rejected(At(Now.AddHours(1).AddMilliseconds(1))).Reason);
        var horizon = Now.AddDays(-new RetentionOptions().Days);
        Assert.Equal(horizon, Single(At(horizon)).Timestamp);
        Assert.Equal(RejectReason.TooOld, Rejected(At(horizon.AddMilliseconds(-1))).Reason);
    }

    [Theory]
    [InlineData("\"2026-11-22\"")]
    [InlineData("\"2026-11-22T10:00:00\"")]
    [InlineData("\"2026-11-22 10:00:00Z\"")]
    [InlineData("\"22/11/2026 10:00\"")]
    // Found by the fuzzer (tests/Eventide.Reliability.Tests): a fraction needs a digit, an offset its colon.
    [InlineData("\"2026-08-30T15:53:44.Z\"")]
    [InlineData("\"2026-08-30T15:53:44.+01:00\"")]
    [InlineData("\"2026-08-30T15:53:44+0100\"")]
    [InlineData("1763805600000")]
    [InlineData("true")]
    public void Parse_rejects_timestamps_that_are_not_RFC_3339_with_offset(string value)
    {
        Assert.Equal("timestamp", Rejected($"{{\"site_id\":\"demo\",\"name\":\"x\",\"timestamp\":{value}}}").Field);
    }

    [Fact]
    public void Parse_in_tracker_mode_also_accepts_epoch_milliseconds()
    {
        var millis = Now.AddMinutes(-3).ToUnixTimeMilliseconds();
        Assert.Equal(Now.AddMinutes(-3), Single($"{{\"site_id\":\"demo\",\"event_type\":\"x\",\"timestamp\":{millis}}}", tracker: true).Timestamp);
    }

    [Theory]
    [InlineData("""{"site_id":"demo","name":"a\u0000b"}""", "name")]
    [InlineData("""{"site_id":"demo","name":"a\ud800"}""", "name")]
    [InlineData("""{"site_id":"demo","name":"x","properties":{"k":"\udfff"}}""", "properties")]
    [InlineData("""{"site_id":"demo","name":"x","properties":{"k":["\u0000"]}}""", "properties")]
    [InlineData("""{"site_id":"demo","name":"x","properties":{"n":1e309}}""", "properties")]
    public void Parse_rejects_text_and_numbers_PostgreSQL_cannot_store(string body, string field)
    {
        Assert.Equal(field, Rejected(body).Field);
    }

    [Fact]
    public void Parse_keeps_valid_escapes_and_non_ascii_text()
    {
        var e = Single("""{"site_id":"demo","name":"caf\u00e9 \ud83d\ude00","path":"/ä","properties":{"emoji":"\ud83d\ude00"}}""");
        Assert.Equal("café 😀", e.Name);
        Assert.Equal("/ä", e.Path);
    }

    [Fact]
    public void Parse_refuses_the_whole_body_when_it_is_not_valid_UTF8_or_JSON()
    {
        Assert.Equal(BodyProblem.Malformed, Parser.Parse([(byte)'{', 0xC3, 0x28, (byte)'}'], BodyFormat.Json, Now).Problem);
        Assert.Equal(BodyProblem.Malformed, Parse("""[{"site_id":"demo","name":"a"}""").Problem);
        Assert.Equal(BodyProblem.Malformed, Parse("""{"site_id":"demo","name":"a"} {}""").Problem);
        Assert.Equal(BodyProblem.Malformed, Parse("[]").Problem);
        Assert.Equal(BodyProblem.Malformed, Parse(new string('[', 65) + new string(']', 65)).Problem);
    }

    [Fact]
    public void Parse_refuses_more_events_than_the_limit_in_both_formats()
    {
        var parser = new EventParser(new IngestionOptions { MaxEventsPerRequest = 3 }, new RetentionOptions());
        const string e = """{"site_id":"demo","name":"x"}""";
        Assert.Equal(3, Parse($"[{e},{e},{e}]", parser: parser).Valid.Count);
        Assert.Equal(BodyProblem.TooManyEvents, Parse($"[{e},{e},{e},{e}]", parser: parser).Problem);
        Assert.Equal(BodyProblem.TooManyEvents, Parse($"{e}\n{e}\n{e}\n{e}", BodyFormat.Ndjson, parser: parser).Problem);
    }

    [Fact]
    public void Parse_ndjson_isolates_broken_lines_and_skips_blank_ones()
    {
        var batch = Parse("{\"site_id\":\"demo\",\"name\":\"a\"}\r\n\n   \n{\"site_id\":\n[1]\n{\"site_id\":\"demo\",\"name\":\"d\"} x\n{\"site_id\":\"demo\",\"name\":\"e\"}", BodyFormat.Ndjson);
        Assert.Equal(5, batch.Count);
        Assert.Equal([0, 4], batch.Valid.Select(v => v.Index).ToList());
        Assert.Equal([1, 2, 3], batch.Errors.Select(e => e.Index).ToList());
    }

    [Fact]
    public void Parse_reuses_repeated_site_and_name_strings()
    {
        var batch = Parse("""[{"site_id":"demo","name":"x"},{"site_id":"demo","name":"x"}]""");
        Assert.Same(batch.Valid[0].Event.SiteId, batch.Valid[1].Event.SiteId);
        Assert.Same(batch.Valid[0].Event.Name, batch.Valid[1].Event.Name);
    }

    private static EventBatch ParseSeed(string body, string? keySite = "demo") =>
        Parser.Parse(Encoding.UTF8.GetBytes(body), BodyFormat.Json, Now, seed: new SeedShapes(keySite));

    private static EventRecord SingleSeed(string body)
    {
        var batch = ParseSeed(body);
        Assert.Empty(batch.Errors);
        return Assert.Single(batch.Valid).Event;
    }

    [Theory]
    [InlineData("name")]
    [InlineData("event_type")]
    [InlineData("type")]
    [InlineData("eventType")]
    public void Parse_seed_takes_every_name_alias(string field)
    {
        Assert.Equal("LOGIN", SingleSeed($$"""{"site_id":"demo","{{field}}":"LOGIN"}""").Name);
    }

    [Theory]
    [InlineData("properties")]
    [InlineData("payload")]
    [InlineData("data")]
    public void Parse_seed_takes_every_properties_alias(string field)
    {
        Assert.Equal("""{"user":"khushi"}""", SingleSeed($$$"""{"type":"LOGIN","{{{field}}}":{"user":"khushi"}}""").Properties);
    }

    [Fact]
    public void Parse_seed_takes_eventId_as_the_event_id()
    {
        Assert.Equal("m-1", SingleSeed("""{"eventType":"click","eventId":"m-1"}""").EventId);
    }

    [Fact]
    public void Parse_seed_takes_the_site_from_the_key_when_site_id_is_missing()
    {
        Assert.Equal("demo", SingleSeed("""{"type":"LOGIN","payload":{"user":"khushi"}}""").SiteId);
        Assert.Equal("other", SingleSeed("""{"site_id":"other","type":"x"}""").SiteId);
    }

    [Fact]
    public void Parse_seed_keeps_unknown_top_level_fields_in_properties()
    {
        var e = SingleSeed("""{"eventId":"e1","eventType":"signup","source":"ads","funnelStage":"top","timestamp":"2026-11-22T11:00:00Z","data":{"revenue":12.5}}""");
        Assert.Equal("signup", e.Name);
        using var doc = System.Text.Json.JsonDocument.Parse(e.Properties!);
        Assert.Equal(12.5, doc.RootElement.GetProperty("revenue").GetDouble());
        Assert.Equal("ads", doc.RootElement.GetProperty("source").GetString());
        Assert.Equal("top", doc.RootElement.GetProperty("funnelStage").GetString());
        Assert.Equal(3, doc.RootElement.EnumerateObject().Count());
        Assert.Equal("""{"country":"DE"}""", SingleSeed("""{"type":"x","country":"DE"}""").Properties);
        Assert.Equal("""{"country":"DE"}""", SingleSeed("""{"type":"x","data":{},"country":"DE"}""").Properties);
    }

    [Fact]
    public void Parse_seed_refuses_a_key_sent_both_in_properties_and_at_the_top()
    {
        var batch = ParseSeed("""{"type":"x","data":{"country":"FR"},"country":"DE"}""");
        var error = Assert.Single(batch.Errors);
        Assert.Equal("properties", error.Field);
        Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_seed_refuses_two_aliases_of_one_field()
    {
        Assert.Equal("payload", Assert.Single(ParseSeed("""{"type":"x","data":{},"payload":{}}""").Errors).Field);
        Assert.Equal("eventId", Assert.Single(ParseSeed("""{"type":"x","event_id":"a","eventId":"b"}""").Errors).Field);
    }

    [Fact]
    public void Parse_seed_still_validates_the_extra_fields()
    {
        Assert.Equal("properties", Assert.Single(ParseSeed("""{"type":"x","bad":"a\u0000b"}""").Errors).Field);
    }

    [Fact]
    public void Parse_strict_rejects_the_seed_shapes()
    {
        Assert.Contains("eventType", Parse("""{"site_id":"demo","eventType":"x"}""").Errors.Select(e => e.Field));
        Assert.Equal("payload", Rejected("""{"site_id":"demo","name":"x","payload":{}}""").Field);
        Assert.Equal("country", Rejected("""{"site_id":"demo","name":"x","country":"DE"}""").Field);
        Assert.Equal("site_id", Rejected("""{"name":"x"}""").Field);
    }
}
