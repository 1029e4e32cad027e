using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Tests.Grpc;

/// <summary>
/// An intake answer reduced to what both transports must agree on: the outcome as a gRPC code
/// (by the documented HTTP → gRPC table), the counts, the ids with the transport's prefix
/// removed, and every error. Times in messages are masked: the two requests are seconds apart.
/// </summary>
public sealed partial record Answer(string Code, int Accepted, int Rejected, string Ids, string Errors)
{
    public static Answer FromHttp(HttpStatusCode status, JsonElement body, string prefix)
    {
        var code = status switch
        {
            HttpStatusCode.Accepted => StatusCode.OK,
            HttpStatusCode.BadRequest => StatusCode.InvalidArgument,
            HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
            HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.TooManyRequests => StatusCode.ResourceExhausted,
            HttpStatusCode.ServiceUnavailable => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
        var ids = body.TryGetProperty("ids", out var i) && code == StatusCode.OK ? i.EnumerateArray().Select(x => x.GetString()!) : [];
        var errors = body.TryGetProperty("errors", out var e)
            ? e.EnumerateArray().Select(x => (x.GetProperty("index").GetInt32(), x.GetProperty("field").GetString() ?? "", x.GetProperty("message").GetString()!))
            : [];
        return new Answer(code.ToString(), body.TryGetProperty("accepted", out var a) ? a.GetInt32() : 0,
            body.TryGetProperty("rejected", out var r) ? r.GetInt32() : 0, Normalize(ids, prefix), Format(errors));
    }

    public static Answer FromGrpc(V1.BatchAck ack, string prefix) =>
        new((ack.Status is null ? StatusCode.OK : (StatusCode)ack.Status.Code).ToString(), ack.Accepted, ack.Rejected,
            Normalize(ack.Ids, prefix), Format(ack.Errors.Select(x => (x.Index, x.Field, x.Message))));

    private static string Normalize(IEnumerable<string> ids, string prefix) =>
        string.Join(' ', ids.Select(id => id.StartsWith(prefix, StringComparison.Ordinal) ? id[prefix.Length..].Split('-')[1] : Guid.TryParse(id, out _) ? "<assigned>" : id));

    private static string Format(IEnumerable<(int Index, string Field, string Message)> errors) =>
        string.Join('\n', errors.Select(x => $"{x.Index} {x.Field}: {Times().Replace(x.Message, "<time>")}"));

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Times();
}
