using System.Buffers;

namespace Eventide.Ingestion;

/// <summary>A request body read into a pooled buffer; return it with <see cref="Dispose"/>.</summary>
internal sealed class RequestBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, length);

    public int Length => length;

    /// <summary>The body's bytes, valid until disposal.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, length);

    /// <summary>The body as a read-only stream over the same buffer, valid until disposal.</summary>
    public Stream AsStream() => new MemoryStream(_buffer ?? throw new ObjectDisposedException(nameof(RequestBody)), 0, length, writable: false);

    public void Dispose()
    {
        if (_buffer is { } b)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
