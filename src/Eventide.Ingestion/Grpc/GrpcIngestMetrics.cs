using System.Diagnostics.Metrics;
using Eventide.Core;
using Grpc.Core;

namespace Eventide.Ingestion.Grpc;

/// <summary>
/// The gRPC intake's instruments, created through <see cref="IMeterFactory"/> on the
/// <see cref="EventideMeter.Name"/> meter, and the in-flight figures the bound is checked against. Tags are bounded sets.
/// </summary>
public sealed class GrpcIngestMetrics
{
    private readonly Counter<long> _batches;
    private readonly UpDownCounter<long> _inFlight;
    private long _current;
    private long _peakPerStream;

    public GrpcIngestMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EventideMeter.Name);
        _batches = meter.CreateCounter<long>("eventide_ingestion_grpc_batches", "{batch}",
            "gRPC batches answered, by status code (OK, INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE)");
        _inFlight = meter.CreateUpDownCounter<long>("eventide_ingestion_grpc_inflight_batches", "{batch}",
            "gRPC batches read and not yet answered, over all streams (at most GrpcMaxInFlightBatches per stream)");
    }

    /// <summary>Batches read and not yet answered, over all streams.</summary>
    public long InFlight => Interlocked.Read(ref _current);

    /// <summary>The most batches one stream has had in flight at once since start.</summary>
    public long PeakInFlightPerStream => Interlocked.Read(ref _peakPerStream);

    /// <summary>A stream read a batch and now has <paramref name="streamInFlight"/> in flight.</summary>
    public void Read(int streamInFlight)
    {
        Interlocked.Increment(ref _current);
        _inFlight.Add(1);
        long peak;
        while (streamInFlight > (peak = Interlocked.Read(ref _peakPerStream))
            && Interlocked.CompareExchange(ref _peakPerStream, streamInFlight, peak) != peak)
        {
        }
    }

    /// <summary><paramref name="batches"/> in-flight batches were answered or dropped with their call.</summary>
    public void Done(int batches)
    {
        Interlocked.Add(ref _current, -batches);
        _inFlight.Add(-batches);
    }

    public void Answered(StatusCode code) => _batches.Add(1, new KeyValuePair<string, object?>("code", CodeTag(code)));

    private static string CodeTag(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => "OTHER",
    };
}
