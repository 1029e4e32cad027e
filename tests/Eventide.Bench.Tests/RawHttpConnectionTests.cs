using System.Text;
using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class RawHttpConnectionTests
{
    [Fact]
    public async Task PostAsync_sends_head_and_body_on_one_keep_alive_connection_and_reads_accepted()
    {
        var bodies = new[] { "[{\"a\":1}]", "[{\"b\":22},{\"c\":333}]" };
        await using var server = ScriptedServer.Start(Accepted("{\"accepted\": 1,\"rejected\":0}"), Accepted("{\"accepted\": 2,\"rejected\":0}"));
        using var connection = new RawHttpConnection(server.Uri);
        var head = RawHttpConnection.HeadPrefix(server.Uri, "/v1/events", "key-1");
        var answers = new List<(int, long)>();

        foreach (var body in bodies)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            bytes.CopyTo(connection.Body(bytes.Length));
            answers.Add(await connection.PostAsync(head, bytes.Length, CancellationToken.None));
        }

        Assert.Equal([(202, 1L), (202, 2L)], answers);
        Assert.Equal(1, server.Connections);
        Assert.Equal(bodies, server.Received.Select(r => r.Body));
        Assert.All(server.Received, r =>
        {
            Assert.StartsWith("POST /v1/events HTTP/1.1\r\n", r.Head, StringComparison.Ordinal);
            Assert.Contains("\r\nAuthorization: Bearer key-1", r.Head, StringComparison.Ordinal);
            Assert.Contains($"\r\nHost: {server.Uri.Authority}", r.Head, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task PostAsync_keeps_the_last_answer_s_Retry_After()
    {
        var answers = new[]
        {
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 2\r\n\r\n{}",
            "HTTP/1.1 202 Accepted\r\nContent-Length: 14\r\n\r\n{\"accepted\":1}",
        };
        await using var server = ScriptedServer.Start(answers);
        using var connection = new RawHttpConnection(server.Uri);
        var head = RawHttpConnection.HeadPrefix(server.Uri, "/v1/events", "key-1");
        var seen = new List<(int Status, long Accepted, int RetryAfter)>();

        foreach (var _ in answers)
        {
            "[]"u8.CopyTo(connection.Body(2));
            var (status, accepted) = await connection.PostAsync(head, 2, CancellationToken.None);
            seen.Add((status, accepted, connection.RetryAfterSeconds));
        }

        Assert.Equal([(503, 0L, 5), (202, 1L, 0)], seen);
    }

    private static string Accepted(string json) =>
        $"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {Encoding.ASCII.GetByteCount(json)}\r\n\r\n{json}";
}
