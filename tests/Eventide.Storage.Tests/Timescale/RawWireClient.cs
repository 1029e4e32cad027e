using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Eventide.Storage.Tests.Timescale;

/// <summary>
/// A bare PostgreSQL wire-protocol client for what Npgsql never does on
/// purpose: leave in the middle of a handshake, an extended-protocol batch
/// or a COPY, by dropping the socket.
/// </summary>
internal sealed class RawWireClient : IAsyncDisposable
{
    private const int ProtocolVersion3 = 196608;
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(30);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawWireClient> ConnectAsync(string connectionString, bool completeHandshake = true)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(builder.Host!, builder.Port);
        var client = new RawWireClient(tcp);
        var parameters = Encoding.UTF8.GetBytes($"user\0{builder.Username}\0database\0postgres\0\0");
        var startup = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        BinaryPrimitives.WriteInt32BigEndian(startup.AsSpan(4), ProtocolVersion3);
        parameters.CopyTo(startup, 8);
        await client._stream.WriteAsync(startup);
        await client.ReadUntilAsync('R');
        if (completeHandshake)
        {
            await client.SendAsync('p', CString(builder.Password ?? ""));
            await client.ReadUntilAsync('Z');
        }

        return client;
    }

    public Task QueryAsync(string sql) => SendAsync('Q', CString(sql));

    public Task ParseAsync(string sql) => SendAsync('P', [.. CString(""), .. CString(sql), 0, 0]);

    public Task BindAsync() => SendAsync('B', [.. CString(""), .. CString(""), 0, 0, 0, 0, 0, 0]);

    public Task ExecuteAsync() => SendAsync('E', [.. CString(""), 0, 0, 0, 0]);

    public Task FlushAsync() => SendAsync('H', []);

    public Task CopyDataAsync(string text) => SendAsync('d', Encoding.UTF8.GetBytes(text));

    /// <summary>Reads backend messages until one of <paramref name="type"/>; fails on an ErrorResponse.</summary>
    public async Task ReadUntilAsync(char type)
    {
        using var deadline = new CancellationTokenSource(ReadDeadline);
        var header = new byte[5];
        while (true)
        {
            await _stream.ReadExactlyAsync(header, deadline.Token);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
            await _stream.ReadExactlyAsync(body, deadline.Token);
            if (header[0] == (byte)'E' && type != 'E')
            {
                throw new InvalidOperationException("Error from the server: " + Encoding.UTF8.GetString(body).Replace('\0', '|'));
            }

            if (header[0] == (byte)type)
            {
                return;
            }
        }
    }

    /// <summary>Drops the connection without Terminate, like a crashed client.</summary>
    public ValueTask DisposeAsync()
    {
        _tcp.Client.Close(0);
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendAsync(char type, byte[] body)
    {
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        await _stream.WriteAsync(message);
    }

    private static byte[] CString(string value) => Encoding.UTF8.GetBytes(value + "\0");
}
