using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Eventide.Bench.Tests;

/// <summary>
/// An HTTP/1.1 server on loopback that answers each request it reads, on any keep-alive
/// connection, with the next of a fixed list of raw responses (the last one again once the
/// list is used up), and counts the requests.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string[] _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    private ScriptedServer(TcpListener listener, string[] answers)
    {
        _listener = listener;
        _answers = answers;
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture)}");
        _accepting = AcceptAsync();
    }

    public Uri Uri { get; }

    /// <summary>Requests read so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static Task<ScriptedServer> StartAsync(params string[] answers)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return Task.FromResult(new ScriptedServer(listener, answers));
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
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
                pending.RemoveRange(0, headEnd + 4 + length);
                var index = Interlocked.Increment(ref _requests) - 1;
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
