using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection over a raw socket, one request at a time, as wrk
/// drives it: the request goes out in one send (head and body together), the answer is
/// parsed in place (status, Content-Length or chunked body) with no per-request objects
/// beyond the head's bytes. HttpClient costs several times the CPU per request, and on a
/// small machine the load generator shares the cores with the server it measures: at one
/// event per request that made the bench report its own limit, not the server's.
/// </summary>
public sealed class RawHttpConnection(Uri server) : IDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Accepted = "\"accepted\":"u8.ToArray();
    private readonly string _host = server.Authority;
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];

    private byte[] _request = new byte[4 * 1024];

    /// <summary>POSTs a JSON body; returns the status (0 when the connection failed) and the "accepted" count of a 202.</summary>
    public async Task<(int Status, long Accepted)> PostJsonAsync(string path, string bearer, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(new DnsEndPoint(server.Host, server.Port), ct);
            }
            var length = WriteRequest(path, bearer, body.Span);
            for (var sent = 0; sent < length;)
            {
                sent += await _socket.SendAsync(_request.AsMemory(sent, length - sent), SocketFlags.None, ct);
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

    /// <summary>
    /// The head and the body into one reused buffer, sent with one plain send: a gather send and
    /// a head string per request cost the generator CPU the server under test then lacks.
    /// </summary>
    private int WriteRequest(string path, string bearer, ReadOnlySpan<byte> body)
    {
        var needed = path.Length + _host.Length + bearer.Length + body.Length + 160;
        if (_request.Length < needed)
        {
            _request = new byte[Math.Max(needed, _request.Length * 2)];
        }
        var span = _request.AsSpan();
        var at = 0;
        void Put(ReadOnlySpan<byte> bytes, Span<byte> into)
        {
            bytes.CopyTo(into[at..]);
            at += bytes.Length;
        }
        Put("POST "u8, span);
        at += Encoding.ASCII.GetBytes(path, span[at..]);
        Put(" HTTP/1.1\r\nHost: "u8, span);
        at += Encoding.ASCII.GetBytes(_host, span[at..]);
        Put("\r\nContent-Type: application/json\r\nAuthorization: Bearer "u8, span);
        at += Encoding.ASCII.GetBytes(bearer, span[at..]);
        Put("\r\nContent-Length: "u8, span);
        Utf8Formatter.TryFormat(body.Length, span[at..], out var digits);
        at += digits;
        Put(HeadEnd, span);
        Put(body, span);
        return at;
    }

    private async Task<(int Status, long Accepted)> ReadResponseAsync(Socket socket, CancellationToken ct)
    {
        var end = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, end).IndexOf(HeadEnd)) < 0)
        {
            end = await ReceiveAsync(socket, end, ct);
        }
        var bodyStart = headEnd + HeadEnd.Length;
        var (status, length, chunked, close) = ParseHead(_buffer.AsSpan(0, headEnd));
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

    private async Task<int> ReceiveAsync(Socket socket, int end, CancellationToken ct)
    {
        if (end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var n = await socket.ReceiveAsync(_buffer.AsMemory(end), SocketFlags.None, ct);
        return n == 0 ? throw new IOException("the server closed the connection") : end + n;
    }

    private static (int Status, int Length, bool Chunked, bool Close) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 202 Accepted"
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new FormatException("not an HTTP/1.1 status line");
        }
        int length = 0;
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
        }
        return (status, length, chunked, close);
    }

    /// <summary>The number after "accepted": in the answer, without parsing the JSON.</summary>
    private static long ScanAccepted(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf(Accepted);
        return at >= 0 && Utf8Parser.TryParse(body[(at + Accepted.Length)..].TrimStart((byte)' '), out long n, out _) ? n : 0;
    }

    public void Dispose() => _socket?.Dispose();
}
