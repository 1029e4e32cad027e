using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Eventide.Ingestion;

/// <summary>
/// Reads a request body with a hard cap counted while reading, before and after
/// gzip decompression, so neither a huge upload nor a gzip bomb can take more
/// than the limit of memory; either is answered 413.
/// </summary>
internal static class RequestBodyReader
{
    public enum Status
    {
        Ok,
        TooLarge,
        BadGzip,
    }

    /// <param name="request">The request whose body to read.</param>
    /// <param name="gzip">The body is gzip (Content-Encoding said so): decompress while reading.</param>
    /// <param name="maxBytes">The cap, before and after decompression.</param>
    /// <param name="ct">The request's cancellation.</param>
    /// <param name="sniffGzip">
    /// Also decompress a body that starts with the gzip magic bytes whatever the headers say (some SDKs
    /// send gzip labelled as a form); a JSON text can never start with them.
    /// </param>
    public static async Task<(Status Status, RequestBody? Body)> ReadAsync(HttpRequest request, bool gzip, int maxBytes, CancellationToken ct, bool sniffGzip = false)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Kestrel then refuses a larger upload itself (also a chunked one) with BadHttpRequestException 413.
            limit.MaxRequestBodySize = maxBytes;
        }
        if (request.ContentLength > maxBytes)
        {
            return (Status.TooLarge, null);
        }
        if (gzip)
        {
            await using var unzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            return await ReadCappedAsync(unzip, maxBytes, request.ContentLength ?? 0, ct);
        }
        var (status, body) = await ReadCappedAsync(request.Body, maxBytes, request.ContentLength ?? 0, ct);
        if (!sniffGzip || status != Status.Ok || !body!.Span.StartsWith(GzipMagic))
        {
            return (status, body);
        }
        using (body)
        {
            await using var unzip = new GZipStream(body.AsStream(), CompressionMode.Decompress);
            return await ReadCappedAsync(unzip, maxBytes, (long)body.Length * 4, ct);
        }
    }

    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    private static async Task<(Status Status, RequestBody? Body)> ReadCappedAsync(Stream source, int maxBytes, long sizeHint, CancellationToken ct)
    {
        // One byte more than the limit is enough to tell "too large" from "exactly at the limit".
        var cap = maxBytes + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(cap, Math.Max(sizeHint, 16 * 1024)));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(cap, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await source.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, cap) - length), ct);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (Status.TooLarge, null);
                }
            }
            var body = new RequestBody(buffer, length);
            buffer = null!;
            return (Status.Ok, body);
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (Status.BadGzip, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (Status.TooLarge, null);
        }
    }
}
