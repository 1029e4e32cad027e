using System.Buffers;

namespace Eventide.Ingestion;

/// <summary>A request body read into a pooled buffer; return it with <see cref="Dispose"/>.</summary>
internal sealed class RequestBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, length);

    public int Length => length;

    public void Dispose()
    {
        if (_buffer is { } b)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
