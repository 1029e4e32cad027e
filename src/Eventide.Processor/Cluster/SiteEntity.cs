using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Eventide.Processor.Cluster;

/// <summary>
/// One site on the member holding its shard: the in-memory front of the
/// dedupe record (ids it saw committed), its counters and its last activity.
/// Passivated through its shard when idle; nothing in it is needed for
/// correctness (the database's event_ids are the durable record).
/// </summary>
public sealed class SiteEntity : UntypedActor
{
    private readonly string _siteId;
    private readonly SiteEntitySettings _settings;
    private readonly SiteState _state;
    private bool _passivating;

    // An UntypedActor, not a ReceiveActor: with 100,000 sites tens of thousands of entities are
    // alive at once, and a ReceiveActor builds its handler table (a delegate per Receive, the
    // matcher's bound arguments) in every instance.
    public SiteEntity(string siteId, SiteEntitySettings settings)
    {
        _siteId = siteId;
        _settings = settings;
        _state = new SiteState(settings.RecentIds) { LastActive = settings.Time.GetUtcNow() };
    }

    /// <summary>A site entity's props, with its own mailbox (<see cref="SiteEntityMailbox"/>; the system needs its <see cref="SiteEntityMailbox.Hocon"/>).</summary>
    public static Props PropsFor(string siteId, SiteEntitySettings settings) =>
        Props.Create(() => new SiteEntity(siteId, settings)).WithMailbox(SiteEntityMailbox.ConfigPath);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CheckIds m:
                var now = Touch();
                var known = SiteDecisions.Known(_state, m.EventIds, now - _settings.DedupeWindow);
                Sender.Tell(known.Count == 0 ? KnownIds.None(_siteId) : new KnownIds(_siteId, known));
                break;
            case SiteCommitted m:
                SiteDecisions.Apply(_state, m, Touch());
                break;
            case GetSiteStats:
                Sender.Tell(new SiteStats(_siteId, _state.Stored, _state.Duplicates, _state.DeadLettered, _state.RecentIdCount, _state.LastActive));
                break;
            case ReceiveTimeout:
                Passivate();
                break;
            case PassivateIfIdle m:
                if (_state.LastActiveTicks <= m.ActiveTicks)
                {
                    Passivate();
                }
                break;
            case StopEntity:
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart()
    {
        _settings.Local.EntityStarted(Self, _state);
        // Idle passivation by Akka's Passivate, per site: the shard's own idle
        // passivation is off, because it would also stop the shard's consumer.
        Context.SetReceiveTimeout(_settings.Passivation);
    }

    protected override void PostStop() => _settings.Local.EntityStopped(Self);

    private void Passivate()
    {
        // Once: the shard buffers the site's messages until the stop, and an idle timeout and
        // the site limit may both ask.
        if (!_passivating)
        {
            _passivating = true;
            Context.Parent.Tell(new Passivate(StopEntity.Instance));
        }
    }

    private DateTimeOffset Touch()
    {
        var now = _settings.Time.GetUtcNow();
        _state.LastActive = now;
        return now;
    }
}
