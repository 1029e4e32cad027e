using Eventide.Storage.Analytics;

namespace Eventide.Storage.Tests.Analytics;

public class EventCursorTests
{
    [Theory]
    [InlineData("2026-01-05T12:00:00.123456Z", "0192f1c4-7d2e-7bbb-8000-0123456789ab")]
    [InlineData("1970-01-01T00:00:00Z", "x")]
    [InlineData("2099-12-31T23:59:59.999999Z", "id with spaces/and+symbols ü")]
    public void Cursor_round_trips_time_and_id(string time, string id)
    {
        var cursor = new EventCursor(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), id);
        var text = cursor.Encode();
        Assert.DoesNotContain('=', text);
        Assert.DoesNotContain('+', text);
        Assert.DoesNotContain('/', text);
        Assert.True(EventCursor.TryDecode(text, out var back));
        Assert.Equal(cursor, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor!")]
    [InlineData("AAAA")]
    [InlineData("_____________w")]
    public void Garbage_is_not_a_cursor(string text) => Assert.False(EventCursor.TryDecode(text, out _));
}
