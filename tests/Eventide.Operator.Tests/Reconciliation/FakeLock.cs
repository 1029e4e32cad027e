using System.Net;
using k8s.Autorest;
using k8s.LeaderElection;

namespace Eventide.Operator.Tests.Reconciliation;

/// <summary>An in-memory leader-election lock whose writes can be made to fail as an API server answering 500 would.</summary>
internal sealed class FakeLock(string identity) : ILock
{
    private readonly Lock _gate = new();
    private LeaderElectionRecord? _record;

    public string Identity { get; } = identity;

    /// <summary>While set, every update fails (the client's lock reports an HTTP error as false).</summary>
    public bool FailWrites { get; set; }

    public int Writes { get; private set; }

    public int FailedWrites { get; private set; }

    public LeaderElectionRecord? Record
    {
        get
        {
            lock (_gate)
            {
                return _record is null ? null : Copy(_record);
            }
        }
        set
        {
            lock (_gate)
            {
                _record = value is null ? null : Copy(value);
            }
        }
    }

    /// <summary>Set: the next read hangs, as a request in flight does, until its token is cancelled.</summary>
    public bool StallNextRead { get; set; }

    /// <summary>Reads that hung because of <see cref="StallNextRead"/>.</summary>
    public int StalledReads { get; private set; }

    public async Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default)
    {
        bool stall;
        lock (_gate)
        {
            stall = StallNextRead;
            StallNextRead = false;
            StalledReads += stall ? 1 : 0;
        }
        if (stall)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        return Read();
    }

    private LeaderElectionRecord Read()
    {
        lock (_gate)
        {
            return _record is null
                ? throw new HttpOperationException { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.NotFound), "") }
                : Copy(_record);
        }
    }

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => Write(record);

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => Write(record);

    public string Describe() => "fake/lease";

    private Task<bool> Write(LeaderElectionRecord record)
    {
        lock (_gate)
        {
            Writes++;
            if (FailWrites)
            {
                FailedWrites++;
                return Task.FromResult(false);
            }
            _record = Copy(record);
            return Task.FromResult(true);
        }
    }

    private static LeaderElectionRecord Copy(LeaderElectionRecord r) => new()
    {
        HolderIdentity = r.HolderIdentity,
        LeaseDurationSeconds = r.LeaseDurationSeconds,
        AcquireTime = r.AcquireTime,
        RenewTime = r.RenewTime,
        LeaderTransitions = r.LeaderTransitions,
    };
}
