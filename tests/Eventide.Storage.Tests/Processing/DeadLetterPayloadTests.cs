using Eventide.Storage.Processing;
using Eventide.Testing;

namespace Eventide.Storage.Tests.Processing;

public class DeadLetterPayloadTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FromEvent_round_trips_through_TryParse()
    {
        var e = new Eventide.Core.EventRecord("site-1", "signup", Now.AddMinutes(-1), "id-1", "/a", "https://r", "u", "s", """{"plan":"pro"}""", Now);
        var parsed = DeadLetterPayload.TryParse(DeadLetterPayload.FromEvent(e), Now, out var error);
        Assert.Null(error);
        Assert.Equal(e, parsed);
    }

    [Fact]
    public void TryParse_rejects_properties_with_a_nul_escape_and_names_the_reason()
    {
        var e = InboxTestWriter.Event("site-1", "id-1", Now, """{"a":"\u0000"}""");
        Assert.Null(DeadLetterPayload.TryParse(DeadLetterPayload.FromEvent(e), Now, out var error));
        Assert.Contains("\\u0000", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"site_id":"bad site","name":"n","event_id":"1","timestamp":"2026-03-01T00:00:00Z"}""", "site_id")]
    [InlineData("""{"site_id":"s","name":"","event_id":"1","timestamp":"2026-03-01T00:00:00Z"}""", "name")]
    [InlineData("""{"site_id":"s","name":"n","event_id":"1","timestamp":"yesterday"}""", "timestamp")]
    [InlineData("""{"site_id":"s","name":"n","event_id":"1","timestamp":"2026-03-01T00:00:00Z","properties":"[1]"}""", "JSON object")]
    [InlineData("""{"inbox_id":1,"payload_base64":"AAE="}""", "could not be decoded")]
    [InlineData("""not json""", "not valid JSON")]
    public void TryParse_rejects_invalid_payloads_with_an_actionable_error(string json, string expected)
    {
        Assert.Null(DeadLetterPayload.TryParse(json, Now, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
