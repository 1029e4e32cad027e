using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Eventide.Processor.Cluster;

/// <summary>
/// The site entities' mailbox: a FIFO queue that holds no storage while it is empty. Akka's
/// default mailbox is a <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>, whose
/// first segment of 32 slots is allocated with the actor: about 1 KB for each of the tens of
/// thousands of site entities alive at once in the 100,000-site benchmark (21,454 segments,
/// a quarter of the processor's GC heap, in a gcdump). A site entity gets a handful of
/// messages per batch from its shard's consumer, so a lock per message costs nothing there.
/// </summary>
public sealed class SiteEntityMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<SiteEntityMailbox.Queue>
{
    /// <summary>Where the mailbox is configured (<see cref="Hocon"/>); what <c>Props.WithMailbox</c> names.</summary>
    public const string ConfigPath = "eventide.site-entity-mailbox";

    /// <summary>The configuration the actor system needs before any site entity starts.</summary>
    public static readonly string Hocon =
        $"{ConfigPath}.mailbox-type = \"{typeof(SiteEntityMailbox).FullName}, {typeof(SiteEntityMailbox).Assembly.GetName().Name}\"";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new Queue();

    /// <summary>Many senders, the one consumer the mailbox runs at a time.</summary>
    public sealed class Queue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        // A Queue<T> allocates its array on the first message (4 slots), not when created.
        private readonly Queue<Envelope> _envelopes = new();
        private int _count;

        public bool HasMessages => Volatile.Read(ref _count) > 0;

        public int Count => Volatile.Read(ref _count);

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            lock (_envelopes)
            {
                _envelopes.Enqueue(envelope);
                Volatile.Write(ref _count, _envelopes.Count);
            }
        }

        public bool TryDequeue(out Envelope envelope)
        {
            lock (_envelopes)
            {
                var found = _envelopes.TryDequeue(out envelope);
                Volatile.Write(ref _count, _envelopes.Count);
                return found;
            }
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope))
            {
                deadletters.Enqueue(owner, envelope);
            }
        }
    }
}
