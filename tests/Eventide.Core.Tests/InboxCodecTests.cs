using Eventide.Core;

namespace Eventide.Core.Tests;

public class InboxCodecTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void Decode_returns_what_Encode_was_given()
    {
        var events = new List<EventRecord>
        {
            new("demo", "pageview", T0.AddTicks(4560), "id-1", "/a", "https://r.example/", "u1", "s1", "{\"k\":[1,2,{\"x\":null}]}", T0.AddSeconds(1)),
            new("démo.site", "sign_up", T0.AddDays(-3), "01935d3e-0000-7000-8000-000000000000", null, null, null, null, null, T0),
            new("x", "e", DateTimeOffset.UnixEpoch.AddYears(-10), "", "", null, "", null, "{}", T0),
        };
        var decoded = InboxCodec.Decode(InboxCodec.Encode(events));
        Assert.Equal(events, decoded);
    }

    [Fact]
    public void Encode_of_empty_list_round_trips()
    {
        Assert.Empty(InboxCodec.Decode(InboxCodec.Encode([])));
    }

    [Fact]
    public void Decode_rejects_every_truncation()
    {
        var bytes = InboxCodec.Encode([new EventRecord("demo", "pageview", T0, "id", "/p", null, "u", null, "{}", T0)]);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<FormatException>(() => InboxCodec.Decode(bytes.AsSpan(0, n)));
        }
    }

    [Fact]
    public void Decode_rejects_unknown_version_and_trailing_bytes()
    {
        var bytes = InboxCodec.Encode([new EventRecord("demo", "e", T0, "id", null, null, null, null, null, T0)]);
        var other = (byte[])bytes.Clone();
        other[0] = 9;
        Assert.Throws<FormatException>(() => InboxCodec.Decode(other));
        Assert.Throws<FormatException>(() => InboxCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Encode_is_smaller_than_json_for_typical_events()
    {
        var events = Enumerable.Range(0, 100).Select(i => new EventRecord(
            "shop", "pageview", T0.AddSeconds(i), Guid.CreateVersion7().ToString(), $"/products/{i}", null, $"user-{i % 7}", null, null, T0)).ToList();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(events);
        Assert.True(InboxCodec.Encode(events).Length < json.Length / 2);
    }
}
