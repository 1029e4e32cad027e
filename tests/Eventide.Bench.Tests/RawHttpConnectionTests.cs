using System.Net;
using System.Net.Sockets;
using System.Text;
using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class RawHttpConnectionTests
{
    [Fact]
    public async Task PostAsync_sends_head_and_body_on_one_keep_alive_connection_and_reads_accepted()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var bodies = new[] { "[{\"a\":1}]", "[{\"b\":22},{\"c\":333}]" };
        var received = new List<(string Head, string Body)>();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var pending = new List<byte>();
            var buffer = new byte[4096];
            for (var i = 0; i < bodies.Length; i++)
            {
                int headEnd;
                while ((headEnd = IndexOf(pending, "\r\n\r\n"u8.ToArray())) < 0)
                {
                    pending.AddRange(buffer.AsSpan(0, await stream.ReadAsync(buffer)).ToArray());
                }
                var head = Encoding.ASCII.GetString([.. pending.Take(headEnd)]);
                var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length: ", StringComparison.Ordinal))["Content-Length: ".Length..],
                    System.Globalization.CultureInfo.InvariantCulture);
                while (pending.Count < headEnd + 4 + length)
                {
                    pending.AddRange(buffer.AsSpan(0, await stream.ReadAsync(buffer)).ToArray());
                }
                received.Add((head, Encoding.UTF8.GetString([.. pending.Skip(headEnd + 4).Take(length)])));
                pending.RemoveRange(0, headEnd + 4 + length);
                var answer = $"{{\"accepted\": {i + 1},\"rejected\":0}}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {answer.Length}\r\n\r\n{answer}"));
            }
        });
        using var connection = new RawHttpConnection(server);
        var head = RawHttpConnection.HeadPrefix(server, "/v1/events", "key-1");
        var answers = new List<(int, long)>();

        foreach (var body in bodies)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            bytes.CopyTo(connection.Body(bytes.Length));
            answers.Add(await connection.PostAsync(head, bytes.Length, CancellationToken.None));
        }
        await serving;

        Assert.Equal([(202, 1L), (202, 2L)], answers);
        Assert.Equal(bodies, received.Select(r => r.Body));
        Assert.All(received, r =>
        {
            Assert.StartsWith("POST /v1/events HTTP/1.1\r\n", r.Head, StringComparison.Ordinal);
            Assert.Contains("\r\nAuthorization: Bearer key-1", r.Head, StringComparison.Ordinal);
            Assert.Contains($"\r\nHost: {server.Authority}", r.Head, StringComparison.Ordinal);
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
        await using var server = await ScriptedServer.StartAsync(answers);
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

    private static int IndexOf(List<byte> bytes, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= bytes.Count; i++)
        {
            if (bytes.Skip(i).Take(pattern.Length).SequenceEqual(pattern))
            {
                return i;
            }
        }
        return -1;
    }
}
