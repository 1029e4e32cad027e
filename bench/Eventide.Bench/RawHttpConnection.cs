using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection over a raw socket, one request at a time (no pipelining),
/// as wrk drives it: the request goes out in one send (head and body together), the answer is
/// parsed in place (status, Content-Length or chunked body) with no per-request objects.
/// HttpClient costs several times the CPU per request, and on a
/// small machine the load generator shares the cores with the server it measures: at one
/// event per request that made the bench report its own limit, not the server's.
/// </summary>
/// <remarks>
/// Fast path: the request head up to the Content-Length value is encoded once per write key
/// (<see cref="HeadPrefix"/>); the caller writes the body straight into this connection's
/// buffer behind room for the head, and only the length's digits are written per request, so
/// head and body go out in one send without a copy or an allocation. The async methods pool
/// their state machines for the same reason.
/// </remarks>
public sealed class RawHttpConnection(Uri server) : IDisposable
{
    /// <summary>Room in front of the body for the longest head: a 128-character key and host with plenty to spare.</summary>
    private const int HeadRoom = 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Accepted = "\"accepted\":"u8.ToArray();
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];

    private byte[] _request = new byte[HeadRoom + 4 * 1024];

    /// <summary>The last answer's <c>Retry-After</c> in whole seconds; 0 when it had none.</summary>
    public int RetryAfterSeconds { get; private set; }

    /// <summary>
    /// <c>POST path HTTP/1.1</c>, the Host, the JSON content type and the bearer, up to and
    /// including <c>Content-Length: </c>: everything of a request's head but the length.
    /// </summary>
    public static byte[] HeadPrefix(Uri server, string path, string bearer) =>
        Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nAuthorization: Bearer {bearer}\r\nContent-Length: ");

    /// <summary>Where the next request's body goes: at least <paramref name="maxBytes"/> long, valid until <see cref="PostAsync"/>.</summary>
    public Span<byte> Body(int maxBytes)
    {
        if (_request.Length < HeadRoom + maxBytes)
        {
            _request = new byte[HeadRoom + maxBytes];
        }
        return _request.AsSpan(HeadRoom, maxBytes);
    }

    /// <summary>
    /// POSTs the <paramref name="bodyLength"/> bytes written into <see cref="Body"/> under the head
    /// <paramref name="headPrefix"/> (from <see cref="HeadPrefix"/>); returns the status (0 when
    /// the connection failed) and the "accepted" count of a 202.
    /// </summary>
    public ValueTask<(int Status, long Accepted)> PostAsync(byte[] headPrefix, int bodyLength, CancellationToken ct)
    {
        // The head ends where the body begins: prefix, the length's digits, the blank line.
        Span<byte> digits = stackalloc byte[16];
        Utf8Formatter.TryFormat(bodyLength, digits, out var digitCount);
        var headLength = headPrefix.Length + digitCount + HeadEnd.Length;
        if (headLength > HeadRoom)
        {
            throw new ArgumentException($"a request head of {headLength} bytes does not fit the {HeadRoom} reserved", nameof(headPrefix));
        }
        var start = HeadRoom - headLength;
        var head = _request.AsSpan(start, headLength);
        headPrefix.CopyTo(head);
        digits[..digitCount].CopyTo(head[headPrefix.Length..]);
        HeadEnd.CopyTo(head[(headPrefix.Length + digitCount)..]);
        return SendAsync(start, headLength + bodyLength, ct);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, long Accepted)> SendAsync(int start, int length, CancellationToken ct)
    {
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(new DnsEndPoint(server.Host, server.Port), ct);
            }
            for (var sent = 0; sent < length;)
            {
                sent += await _socket.SendAsync(_request.AsMemory(start + sent, length - sent), SocketFlags.None, ct);
            }
            return await ReadResponseAsync(_socket, ct);
        }
        catch (Exception ex) when (ex is SocketException or IOException or FormatException or ObjectDisposedException)
        {
            _socket?.Dispose();
            _socket = null;
            return (0, 0);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, long Accepted)> ReadResponseAsync(Socket socket, CancellationToken ct)
    {
        var end = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, end).IndexOf(HeadEnd)) < 0)
        {
            end = await ReceiveAsync(socket, end, ct);
        }
        var bodyStart = headEnd + HeadEnd.Length;
        var (status, length, chunked, close, retryAfter) = ParseHead(_buffer.AsSpan(0, headEnd));
        RetryAfterSeconds = retryAfter;
        long accepted;
        if (chunked)
        {
            // Kestrel streams bodies written without a length as chunks: read to the last (empty) chunk.
            int last;
            while ((last = _buffer.AsSpan(bodyStart, end - bodyStart).IndexOf("\r\n0\r\n\r\n"u8)) < 0
                   && !_buffer.AsSpan(bodyStart, end - bodyStart).StartsWith("0\r\n\r\n"u8))
            {
                end = await ReceiveAsync(socket, end, ct);
            }
            accepted = status == 202 ? ScanAccepted(_buffer.AsSpan(bodyStart, end - bodyStart)) : 0;
        }
        else
        {
            while (end - bodyStart < length)
            {
                end = await ReceiveAsync(socket, end, ct);
            }
            accepted = status == 202 ? ScanAccepted(_buffer.AsSpan(bodyStart, length)) : 0;
        }
        if (close)
        {
            socket.Dispose();
            _socket = null;
        }
        return (status, accepted);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Socket socket, int end, CancellationToken ct)
    {
        if (end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var n = await socket.ReceiveAsync(_buffer.AsMemory(end), SocketFlags.None, ct);
        return n == 0 ? throw new IOException("the server closed the connection") : end + n;
    }

    private static (int Status, int Length, bool Chunked, bool Close, int RetryAfter) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 202 Accepted"
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new FormatException("not an HTTP/1.1 status line");
        }
        int length = 0, retryAfter = 0;
        bool chunked = false, close = false;
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                Utf8Parser.TryParse(value, out length, out _);
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "retry-after"u8))
            {
                Utf8Parser.TryParse(value, out retryAfter, out _);
            }
        }
        return (status, length, chunked, close, retryAfter);
    }

    /// <summary>The number after "accepted": in the answer, without parsing the JSON.</summary>
    private static long ScanAccepted(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf(Accepted);
        return at >= 0 && Utf8Parser.TryParse(body[(at + Accepted.Length)..].TrimStart((byte)' '), out long n, out _) ? n : 0;
    }

    public void Dispose() => _socket?.Dispose();
}
