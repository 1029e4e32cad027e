using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Eventide.Core;
using Eventide.Core.Events;

namespace Eventide.Ingestion.Segment;

/// <summary>
/// Maps Segment Spec messages (track, page, screen, identify, group, alias) onto the event
/// model (docs/segment.md has the table). Each message is rewritten as an Eventide event
/// object and the whole request then goes through the same <see cref="EventParser"/> as
/// /v1/events, so names, lengths, properties limits and the timestamp window are checked by
/// one piece of code for both APIs. Pure: no I/O, the receive time is given.
/// Allocation-conscious: one writer and two pooled buffers per request, message fields
/// copied from the request's JSON without intermediate objects. One file per concern: this one
/// walks the request; .Checks checks a message's Segment fields, .EventJson writes it as an
/// event object, .DeadLetters turns a rejected one into its dead letter, .RequestState holds
/// the per-request buffers.
/// </summary>
public sealed partial class SegmentMapper
{
    /// <summary>Segment's limit per message, kept so an SDK's size checks agree with ours.</summary>
    public const int MaxMessageBytes = 32 * 1024;

    /// <summary>Segment's limit per request (after gzip decompression).</summary>
    public const int MaxRequestBytes = 500 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays as UTF-8, so the properties size counts what is stored, not \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly EventParser _parser;

    public SegmentMapper(IngestionOptions limits, RetentionOptions retention)
    {
        // The event limits of /v1/events, except the count: a Segment request is capped by its
        // bytes (MaxRequestBytes), and every message takes at least two of them.
        _parser = new EventParser(new IngestionOptions
        {
            MaxEventsPerRequest = MaxRequestBytes / 2,
            MaxEventBytes = limits.MaxEventBytes,
            MaxPropertiesBytes = limits.MaxPropertiesBytes,
            MaxPropertiesDepth = limits.MaxPropertiesDepth,
            MaxFutureSkewMinutes = limits.MaxFutureSkewMinutes,
        }, retention);
    }

    /// <param name="root">A batch envelope <c>{batch, sentAt, context}</c> when <paramref name="endpointType"/> is null, else one message.</param>
    /// <param name="endpointType">The type of a single-message endpoint (/v1/track ...), or null for /v1/batch.</param>
    /// <param name="site">The site of the write key: every event belongs to it.</param>
    /// <param name="receivedAt">The server's receive time: the reference for clock-skew correction and the timestamp window.</param>
    public SegmentMapping Map(JsonElement root, SegmentMessageType? endpointType, string site, DateTimeOffset receivedAt)
    {
        var mapping = new SegmentMapping();
        // The mapped events take about as many bytes as the messages: size the buffer once.
        using var request = new RequestState(site, receivedAt, JsonMarshal.GetRawUtf8Value(root).Length + 1024);
        request.Events.Write("["u8);
        if (endpointType is null)
        {
            if (root.TryGetProperty("sentAt"u8, out var sentAt) && TryTime(sentAt, out var sent))
            {
                request.SentAt = sent;
            }
            if (root.TryGetProperty("context"u8, out var context) && context.ValueKind == JsonValueKind.Object)
            {
                request.Context = context;
            }
            var index = 0;
            foreach (var message in root.GetProperty("batch"u8).EnumerateArray())
            {
                MapMessage(message, index++, null, request, mapping);
            }
            mapping.Count = index;
        }
        else
        {
            MapMessage(root, 0, endpointType, request, mapping);
            mapping.Count = 1;
        }
        request.Events.Write("]"u8);
        if (request.Mapped.Count > 0)
        {
            Validate(request, mapping);
        }
        mapping.Rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return mapping;
    }

    private void Validate(RequestState request, SegmentMapping mapping)
    {
        var batch = _parser.Parse(request.Events.WrittenSpan, BodyFormat.Json, request.ReceivedAt);
        if (batch.Problem != BodyProblem.None)
        {
            // The mapper wrote this JSON itself: a refusal here is a bug, not bad input.
            throw new InvalidOperationException($"Mapped Segment messages did not parse: {batch.ProblemDetail}");
        }
        foreach (var valid in batch.Valid)
        {
            mapping.Accepted.Add(valid.Event);
        }
        var errors = batch.Errors;
        for (var i = 0; i < errors.Count;)
        {
            var first = errors[i];
            var (index, message, type) = request.Mapped[first.Index];
            var reason = new StringBuilder();
            for (; i < errors.Count && errors[i].Index == first.Index; i++)
            {
                if (reason.Length > 0)
                {
                    reason.Append("; ");
                }
                reason.Append(SegmentField(errors[i].Field, type)).Append(": ").Append(errors[i].Message);
            }
            mapping.Rejected.Add(Reject(index, message, reason.ToString(), first.Reason));
        }
    }

    private static void MapMessage(JsonElement message, int index, SegmentMessageType? endpointType, RequestState request, SegmentMapping mapping)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            mapping.Rejected.Add(Reject(index, message, $"Each message must be a JSON object, got {Describe(message.ValueKind)}.", RejectReason.Invalid));
            return;
        }
        var size = JsonMarshal.GetRawUtf8Value(message).Length;
        if (size > MaxMessageBytes)
        {
            mapping.Rejected.Add(Reject(index, message,
                $"The message is {size} bytes; the limit is {MaxMessageBytes} bytes per message (as Segment's).", RejectReason.TooLarge));
            return;
        }
        try
        {
            if (Check(message, endpointType, request) is { } error)
            {
                mapping.Rejected.Add(Reject(index, message, error, RejectReason.Invalid));
                return;
            }
            var type = request.Type;
            request.Scratch.Reset();
            request.Writer.Reset(request.Scratch);
            WriteEvent(request.Writer, message, request);
            request.Writer.Flush();
            if (request.Mapped.Count > 0)
            {
                request.Events.Write(","u8);
            }
            request.Events.Write(request.Scratch.WrittenSpan);
            request.Mapped.Add((index, message, type));
        }
        catch (InvalidOperationException)
        {
            // A string with an unpaired surrogate escape cannot be read as text.
            mapping.Rejected.Add(Reject(index, message,
                "A string holds an invalid \\u escape (an unpaired surrogate); send valid Unicode text.", RejectReason.Invalid));
        }
    }
}
