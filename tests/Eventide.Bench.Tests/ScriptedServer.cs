using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Eventide.Bench.Tests;

/// <summary>
/// An HTTP/1.1 server on loopback that answers each request it reads, on any keep-alive
/// connection, with the next of a fixed list of raw responses (the last one again once the
/// list is used up), and keeps each request's head and body.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string[] _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<(string Head, string Body)> _received = [];
    private int _connections;

    private ScriptedServer(TcpListener listener, string[] answers)
    {
        _listener = listener;
        _answers = answers;
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}");
        _accepting = AcceptAsync();
    }

    public Uri Uri { get; }

    /// <summary>Requests read so far.</summary>
    public int Requests
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    /// <summary>The requests read so far, in the order they were answered: the head (up to the blank line) and the body.</summary>
    public IReadOnlyList<(string Head, string Body)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public static ScriptedServer Start(params string[] answers)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedServer(listener, answers);
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                connections.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = HeadEnd(pending)) < 0)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                var head = Encoding.ASCII.GetString([.. pending.Take(headEnd)]);
                var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length: ", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length: ".Length..], CultureInfo.InvariantCulture);
                while (pending.Count < headEnd + 4 + length)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                var body = Encoding.UTF8.GetString([.. pending.Skip(headEnd + 4).Take(length)]);
                pending.RemoveRange(0, headEnd + 4 + length);
                int index;
                lock (_received)
                {
                    index = _received.Count;
                    _received.Add((head, body));
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes(_answers[Math.Min(index, _answers.Length - 1)]), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
        }
    }

    private static int HeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 4 <= bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
