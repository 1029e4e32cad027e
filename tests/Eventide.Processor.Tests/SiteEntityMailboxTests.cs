using Akka.Actor;
using Akka.Dispatch.MessageQueues;
using Eventide.Processor.Cluster;

namespace Eventide.Processor.Tests;

/// <summary>The site entities' queue: FIFO for each sender whatever the number of senders, and nothing lost on clean-up.</summary>
public class SiteEntityMailboxTests
{
    [Fact]
    public async Task Many_senders_at_once_lose_nothing_and_each_senders_messages_keep_their_order()
    {
        var queue = new SiteEntityMailbox.Queue();
        const int Senders = 8, Each = 5_000;
        var received = new List<(int Sender, int N)>();
        var producers = Enumerable.Range(0, Senders).Select(sender => Task.Run(() =>
        {
            for (var n = 0; n < Each; n++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope((sender, n), ActorRefs.NoSender));
            }
        })).ToArray();
        // The one consumer drains while the senders still send, as the mailbox runs it.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (received.Count < Senders * Each)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"only {received.Count} of {Senders * Each} messages came out");
            if (queue.TryDequeue(out var envelope))
            {
                received.Add(((int, int))envelope.Message);
            }
        }
        await Task.WhenAll(producers);

        Assert.False(queue.HasMessages);
        Assert.Equal(0, queue.Count);
        foreach (var group in received.GroupBy(r => r.Sender))
        {
            Assert.Equal(Enumerable.Range(0, Each), group.Select(r => r.N));
        }
    }

    [Fact]
    public void Clean_up_hands_every_waiting_message_to_the_dead_letters_in_order()
    {
        var queue = new SiteEntityMailbox.Queue();
        for (var n = 0; n < 3; n++)
        {
            queue.Enqueue(ActorRefs.Nobody, new Envelope(n, ActorRefs.NoSender));
        }
        Assert.True(queue.HasMessages);
        Assert.Equal(3, queue.Count);

        var deadLetters = new UnboundedMessageQueue();
        queue.CleanUp(ActorRefs.Nobody, deadLetters);

        Assert.False(queue.HasMessages);
        var drained = new List<object>();
        while (deadLetters.TryDequeue(out var envelope))
        {
            drained.Add(envelope.Message);
        }
        Assert.Equal([0, 1, 2], drained);
    }
}
