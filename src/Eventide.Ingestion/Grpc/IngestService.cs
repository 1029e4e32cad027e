using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Eventide.Core.Events;
using Eventide.Storage.Auth;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using V1 = Eventide.Ingestion.Grpc.V1;

namespace Eventide.Ingestion.Grpc;

/// <summary>
/// <c>eventide.v1.Ingest</c>: the HTTP intake's gate (write key, validation, site coverage,
/// rate limit, group commit) behind gRPC. An ack is written only after its batch's durable
/// commit. A stream holds at most GrpcMaxInFlightBatches batches between reading and
/// answering; while that many wait, no further message is read, so HTTP/2 flow control stops
/// the sender and a client that never reads its acks cannot grow the server's memory.
/// </summary>
public sealed class IngestService(IntakeGate gate, EventParser parser, GrpcIngestMetrics metrics) : V1.Ingest.IngestBase
{
    /// <summary>Trailer of a failed Send holding the serialized <see cref="V1.BatchAck"/> (errors, in-doubt ids).</summary>
    public const string AckTrailer = "eventide-ack-bin";

    /// <summary>The gRPC retry-policy pushback trailer, in milliseconds.</summary>
    public const string PushbackTrailer = "grpc-retry-pushback-ms";

    private const string KeyHelp =
        "Send the site's write key in the call metadata as 'authorization: Bearer evw_...'. Create one with `eventide sites create <site>`.";

    public override async Task<V1.BatchAck> Send(V1.EventBatch request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = await AuthenticateAsync(context);
        metrics.Read(1);
        V1.BatchAck ack;
        try
        {
            ack = await HandleAsync(caller, request, new GrpcBatchParser(parser));
        }
        finally
        {
            metrics.Done(1);
        }
        if (ack.Status is { } status)
        {
            var trailers = new Metadata { { AckTrailer, ack.ToByteArray() } };
            if (status.RetryDelay is { } delay)
            {
                trailers.Add(PushbackTrailer, ((long)delay.ToTimeSpan().TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }
            throw new RpcException(new Status((StatusCode)status.Code, status.Message), trailers);
        }
        return ack;
    }

    public override async Task Stream(IAsyncStreamReader<V1.EventBatch> requestStream, IServerStreamWriter<V1.BatchAck> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var caller = await AuthenticateAsync(context);
        var max = gate.Options.GrpcMaxInFlightBatches;
        using var slots = new SemaphoreSlim(max, max);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        // Bounded by the slots, not by the channel: a batch takes a slot before it is read.
        var answers = Channel.CreateUnbounded<Task<V1.BatchAck>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var batchParser = new GrpcBatchParser(parser);
        var inFlight = 0;
        var writer = WriteAcksAsync(answers.Reader, responseStream, slots, () => Interlocked.Decrement(ref inFlight), stop);
        var completed = false;
        try
        {
            while (true)
            {
                await slots.WaitAsync(stop.Token);
                if (!await requestStream.MoveNext(stop.Token))
                {
                    break;
                }
                metrics.Read(Interlocked.Increment(ref inFlight));
                // HandleAsync parses synchronously before its first await, so the reused
                // parser and the request message are free again when it returns.
                answers.Writer.TryWrite(HandleAsync(caller, requestStream.Current, batchParser));
            }
            completed = true;
        }
        finally
        {
            answers.Writer.TryComplete();
            if (!completed)
            {
                // The call failed or was cancelled: acks can no longer be delivered.
                await stop.CancelAsync();
            }
            try
            {
                await writer;
            }
            finally
            {
                metrics.Done(Volatile.Read(ref inFlight));
            }
        }
    }

    private async Task WriteAcksAsync(ChannelReader<Task<V1.BatchAck>> answers, IServerStreamWriter<V1.BatchAck> responseStream, SemaphoreSlim slots,
        Action answered, CancellationTokenSource stop)
    {
        try
        {
            // In send order: a batch's ack waits for earlier batches' acks, which keeps the
            // stream's answers in the order clients sent them.
            await foreach (var pending in answers.ReadAllAsync(CancellationToken.None))
            {
                var ack = await pending;
                stop.Token.ThrowIfCancellationRequested();
                await responseStream.WriteAsync(ack, stop.Token);
                answered();
                metrics.Done(1);
                slots.Release();
            }
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            // The reader must stop too, or it would wait for a slot forever.
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task<Caller> AuthenticateAsync(ServerCallContext context)
    {
        var key = ApiKeyAuthenticator.BearerToken(context.RequestHeaders.GetValue("authorization"));
        var (caller, refusal) = await gate.AuthenticateAsync(key, KeyHelp, context.CancellationToken);
        if (refusal is IntakeProblemResult problem)
        {
            var status = StatusOf(problem);
            metrics.Answered((StatusCode)status.Code);
            var trailers = new Metadata();
            if (status.RetryDelay is { } delay)
            {
                trailers.Add(PushbackTrailer, ((long)delay.ToTimeSpan().TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            }
            throw new RpcException(new Status((StatusCode)status.Code, status.Message), trailers);
        }
        return caller!;
    }

    /// <summary>One batch through the gate; never throws for the batch's own problems, which its ack carries.</summary>
    private async Task<V1.BatchAck> HandleAsync(Caller caller, V1.EventBatch batch, GrpcBatchParser batchParser)
    {
        var started = Stopwatch.GetTimestamp();
        var ack = new V1.BatchAck { BatchId = batch.BatchId };
        var limits = gate.Options;
        if (batch.Events.Count == 0)
        {
            return Refused(ack, StatusCode.InvalidArgument, "The batch holds no events; send 1 or more.");
        }
        if (batch.Events.Count > limits.MaxEventsPerRequest)
        {
            return Refused(ack, StatusCode.ResourceExhausted,
                $"The batch holds {batch.Events.Count} events; the limit is {limits.MaxEventsPerRequest} (Eventide:Ingestion:MaxEventsPerRequest). Split it into several batches.");
        }
        var (valid, errors) = batchParser.Parse(batch, DateTimeOffset.UtcNow);
        var (accepted, allErrors, refusal) = gate.Admit(caller, valid, errors, batch.Events.Count);
        refusal ??= gate.TryRateLimit(caller.Site!, accepted.Count);
        refusal ??= await gate.CommitAsync(caller.Site!, accepted, started);
        if (refusal is IntakeProblemResult problem)
        {
            ack.Rejected = problem.Rejected;
            AddErrors(ack, problem.Errors);
            if (problem.Ids is not null)
            {
                ack.Ids.AddRange(problem.Ids);
            }
            ack.Status = StatusOf(problem);
            metrics.Answered((StatusCode)ack.Status.Code);
            return ack;
        }
        ack.Accepted = accepted.Count;
        ack.Rejected = IntakeErrors.CountRejectedEvents(allErrors);
        foreach (var e in accepted)
        {
            ack.Ids.Add(e.EventId);
        }
        AddErrors(ack, allErrors);
        metrics.Answered(StatusCode.OK);
        return ack;
    }

    private V1.BatchAck Refused(V1.BatchAck ack, StatusCode code, string message)
    {
        ack.Status = new V1.BatchStatus { Code = (int)code, Message = message };
        metrics.Answered(code);
        return ack;
    }

    private static void AddErrors(V1.BatchAck ack, List<EventError>? errors)
    {
        if (errors is null)
        {
            return;
        }
        foreach (var error in errors)
        {
            ack.Errors.Add(new V1.EventError { Index = error.Index, Field = error.Field ?? "", Message = error.Message });
        }
    }

    /// <summary>The HTTP answer's gRPC equivalent (docs/grpc.md has the table).</summary>
    private static V1.BatchStatus StatusOf(IntakeProblemResult problem)
    {
        var code = problem.Status switch
        {
            StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
            StatusCodes.Status401Unauthorized => StatusCode.Unauthenticated,
            StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
            StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
            StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        };
        return new V1.BatchStatus
        {
            Code = (int)code,
            Message = problem.Detail,
            RetryDelay = problem.RetryAfter is { } wait ? Duration.FromTimeSpan(wait) : null,
        };
    }
}
