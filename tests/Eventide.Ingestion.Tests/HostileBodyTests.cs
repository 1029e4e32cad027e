using System.Net;
using System.Text;
using Eventide.Core;
using Npgsql;

namespace Eventide.Ingestion.Tests;

/// <summary>
/// A corpus of malformed and hostile requests, each with the status it must get.
/// Every one of them is refused as a whole, so the inbox must not change.
/// </summary>
public class HostileBodyTests(IngestionFixture fx) : IClassFixture<IngestionFixture>
{
    public enum Key
    {
        Write,
        None,
        Unknown,
        Read,
        OtherSite,
        NotBearer,
    }

    private sealed record Case(int Status, Func<byte[]> Body, Key Key = Key.Write, string ContentType = "application/json", string? Encoding = null);

    private static readonly string Now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Ev(string fields) => U("{\"site_id\":\"demo\",\"name\":\"x\"," + fields + "}");

    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    private static string PropsDepth(int depth)
    {
        // depth 1 is the properties object itself.
        var open = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1));
        return "{" + "\"p\":" + open + "1" + new string('}', depth - 1) + "}";
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["empty body"] = new(400, () => []),
        ["whitespace only"] = new(400, () => U("  \n\t ")),
        ["truncated object"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\"")),
        ["truncated array"] = new(400, () => U("[{\"site_id\":\"demo\",\"name\":\"a\"},")),
        ["truncated string"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x")),
        ["not json"] = new(400, () => U("hello world")),
        ["json string"] = new(400, () => U("\"pageview\"")),
        ["json number"] = new(400, () => U("42")),
        ["json null"] = new(400, () => U("null")),
        ["empty array"] = new(400, () => U("[]")),
        ["array of numbers"] = new(400, () => U("[1,2,3]")),
        ["array of arrays"] = new(400, () => U("[[{\"site_id\":\"demo\",\"name\":\"x\"}]]")),
        ["trailing garbage"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\"} trailing")),
        ["two objects without ndjson type"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}\n{\"site_id\":\"demo\",\"name\":\"y\"}")),
        ["comment"] = new(400, () => U("/* hi */ {\"site_id\":\"demo\",\"name\":\"x\"}")),
        ["trailing comma"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\",}")),
        ["single quotes"] = new(400, () => U("{'site_id':'demo','name':'x'}")),
        ["name is a number"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":7}")),
        ["name is an object"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":{\"a\":1}}")),
        ["site_id is an array"] = new(400, () => U("{\"site_id\":[\"demo\"],\"name\":\"x\"}")),
        ["site_id is null"] = new(400, () => U("{\"site_id\":null,\"name\":\"x\"}")),
        ["user_id is a number"] = new(400, () => Ev("\"user_id\":12345")),
        ["properties is an array"] = new(400, () => Ev("\"properties\":[1,2]")),
        ["properties is a string"] = new(400, () => Ev("\"properties\":\"{}\"")),
        ["missing site_id"] = new(400, () => U("{\"name\":\"x\"}")),
        ["missing name"] = new(400, () => U("{\"site_id\":\"demo\"}")),
        ["empty name"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"\"}")),
        ["site id with a space"] = new(400, () => U("{\"site_id\":\"de mo\",\"name\":\"x\"}")),
        ["site id too long"] = new(400, () => U("{\"site_id\":\"" + new string('s', 65) + "\",\"name\":\"x\"}")),
        ["huge name"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"" + new string('n', 129) + "\"}")),
        ["huge path"] = new(400, () => Ev("\"path\":\"/" + new string('p', 2048) + "\"")),
        ["huge string over the event limit"] = new(400, () => Ev("\"properties\":{\"s\":\"" + new string('x', 40 * 1024) + "\"}")),
        ["properties over 16 KiB"] = new(400, () => Ev("\"properties\":{\"s\":\"" + new string('x', 17 * 1024) + "\"}")),
        ["event id too long"] = new(400, () => Ev("\"event_id\":\"" + new string('i', 129) + "\"")),
        ["event id empty"] = new(400, () => Ev("\"event_id\":\"\"")),
        ["properties nested 9 deep"] = new(400, () => Ev("\"properties\":" + PropsDepth(9))),
        ["deep nesting 100k"] = new(400, () => U(Nest(100_000))),
        ["deep nesting inside an event"] = new(400, () => Ev("\"properties\":{\"a\":" + Nest(200) + "}")),
        ["invalid utf-8 byte"] = new(400, () => [.. U("{\"site_id\":\"demo\",\"name\":\"x"), 0xFF, .. U("\"}")]),
        ["overlong utf-8"] = new(400, () => [.. U("{\"site_id\":\"demo\",\"name\":\"x"), 0xC0, 0xAF, .. U("\"}")]),
        ["utf-16 surrogate encoded as utf-8"] = new(400, () => [.. U("{\"site_id\":\"demo\",\"name\":\"x"), 0xED, 0xA0, 0x80, .. U("\"}")]),
        ["lone surrogate escape in name"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\\ud800\"}")),
        ["lone surrogate escape in properties"] = new(400, () => Ev("\"properties\":{\"k\":\"\\udc00\"}")),
        ["nul escape in name"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\\u0000y\"}")),
        ["nul escape in a properties key"] = new(400, () => Ev("\"properties\":{\"a\\u0000\":1}")),
        ["duplicate site_id"] = new(400, () => U("{\"site_id\":\"demo\",\"site_id\":\"demo\",\"name\":\"x\"}")),
        ["duplicate name through alias"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\",\"type\":\"y\"}")),
        ["duplicate key in properties"] = new(400, () => Ev("\"properties\":{\"a\":1,\"b\":2,\"a\":3}")),
        ["duplicate key escaped in nested properties"] = new(400, () => Ev("\"properties\":{\"o\":{\"a\":1,\"\\u0061\":2}}")),
        ["number out of range"] = new(400, () => Ev("\"properties\":{\"n\":1e400}")),
        ["negative number out of range"] = new(400, () => Ev("\"properties\":{\"n\":-1e999}")),
        ["unknown field"] = new(400, () => Ev("\"color\":\"red\"")),
        ["timestamp not a date"] = new(400, () => Ev("\"timestamp\":\"yesterday\"")),
        ["timestamp without offset"] = new(400, () => Ev("\"timestamp\":\"2026-11-20T10:00:00\"")),
        ["timestamp as epoch on v1"] = new(400, () => Ev("\"timestamp\":1763600000000")),
        ["timestamp far in the future"] = new(400, () => Ev("\"timestamp\":\"" + DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) + "\"")),
        ["timestamp 2 hours ahead"] = new(400, () => Ev("\"timestamp\":\"" + DateTimeOffset.UtcNow.AddHours(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) + "\"")),
        ["timestamp year 9999"] = new(400, () => Ev("\"timestamp\":\"9999-12-31T23:59:59Z\"")),
        ["timestamp beyond retention"] = new(400, () => Ev("\"timestamp\":\"2001-01-01T00:00:00Z\"")),
        ["timestamp invalid month"] = new(400, () => Ev("\"timestamp\":\"2026-13-01T00:00:00Z\"")),
        ["unknown site"] = new(403, () => U("{\"site_id\":\"no-such-site\",\"name\":\"x\",\"timestamp\":\"" + Now + "\"}")),
        ["site of another key"] = new(403, () => U("{\"site_id\":\"other\",\"name\":\"x\"}")),
        ["wrong key"] = new(401, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Key.Unknown),
        ["no key"] = new(401, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Key.None),
        ["basic auth instead of bearer"] = new(401, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Key.NotBearer),
        ["read key"] = new(403, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Key.Read),
        ["key of another site"] = new(403, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Key.OtherSite),
        ["body over 1 MiB"] = new(413, () => U("[" + string.Join(',', Enumerable.Repeat("{\"site_id\":\"demo\",\"name\":\"" + new string('n', 100) + "\"}", 9000)) + "]")),
        ["1001 events"] = new(413, () => U("[" + string.Join(',', Enumerable.Repeat("{\"site_id\":\"demo\",\"name\":\"x\"}", 1001)) + "]")),
        ["1001 ndjson lines"] = new(413, () => U(string.Join('\n', Enumerable.Repeat("{\"site_id\":\"demo\",\"name\":\"x\"}", 1001))), ContentType: "application/x-ndjson"),
        ["gzip bomb"] = new(413, () => EventsApiTests.Gzip(U("[" + new string(' ', 8 * 1024 * 1024) + "]")), Encoding: "gzip"),
        ["corrupt gzip"] = new(400, () => [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], Encoding: "gzip"),
        ["gzip claimed but plain"] = new(400, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Encoding: "gzip"),
        ["brotli encoding"] = new(415, () => U("{\"site_id\":\"demo\",\"name\":\"x\"}"), Encoding: "br"),
        ["ndjson of only blank lines"] = new(400, () => U("\n\n  \r\n"), ContentType: "application/x-ndjson"),
        ["ndjson every line broken"] = new(400, () => U("{\"site_id\":\n[1]\n\"x\""), ContentType: "application/x-ndjson"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Fact]
    public void Corpus_has_at_least_40_cases()
    {
        Assert.True(Cases.Count >= 40, $"{Cases.Count} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Hostile_request_gets_its_status_as_problem_json_and_stores_nothing(string name)
    {
        var c = Cases[name];
        var before = await InboxEventCountAsync();
        var key = c.Key switch
        {
            Key.Write => fx.Demo.WriteKey,
            Key.Read => fx.Demo.ReadKey,
            Key.OtherSite => fx.Other.WriteKey,
            Key.Unknown => ApiKey.Generate(ApiKeyKind.Write),
            _ => null,
        };
        var body = c.Body();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        // See TestHost.PostAsync: a refusal of a large upload must not race the upload.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        request.Content.Headers.ContentType = new(c.ContentType);
        if (c.Encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(c.Encoding);
        }
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }
        else if (c.Key == Key.NotBearer)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(U("demo:" + fx.Demo.WriteKey)));
        }
        var response = await fx.Host.Http.SendAsync(request);

        Assert.Equal((HttpStatusCode)c.Status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await Answers.JsonAsync(response);
        Assert.Equal(c.Status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
        Assert.Equal(before, await InboxEventCountAsync());
    }

    private async Task<long> InboxEventCountAsync()
    {
        await using var cmd = fx.DataSource.CreateCommand("SELECT coalesce(sum(event_count), 0)::bigint FROM eventide.inbox");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
