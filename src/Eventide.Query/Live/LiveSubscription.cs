using System.Threading.Channels;

namespace Eventide.Query.Live;

/// <summary>
/// One live connection's bounded queue of serialized messages. The hub never waits for it:
/// when the queue is full the subscription is dropped (its reader completes with
/// <see cref="LiveDroppedException"/>), so one slow client cannot hold memory or delay the others.
/// </summary>
public sealed class LiveSubscription : IDisposable
{
    private readonly Channel<string> _channel;
    private readonly Action<LiveSubscription> _unsubscribe;
    private readonly CancellationTokenSource _dropped = new();

    internal LiveSubscription(string site, LiveKind kind, int capacity, Action<LiveSubscription> unsubscribe)
    {
        Site = site;
        Kind = kind;
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Site { get; }

    public LiveKind Kind { get; }

    public ChannelReader<string> Messages => _channel.Reader;

    /// <summary>
    /// Cancelled when the subscription is dropped, so a connection stuck writing to a client
    /// that stopped reading is ended at once rather than after its queue drains.
    /// </summary>
    public CancellationToken Dropped => _dropped.Token;

    /// <summary>Queues a message; false when the queue is full or closed (the hub then drops the subscription).</summary>
    internal bool TryOffer(string message) => _channel.Writer.TryWrite(message);

    internal void Drop()
    {
        _channel.Writer.TryComplete(new LiveDroppedException());
        try
        {
            _dropped.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection ended between the hub's snapshot of its subscribers and this
            // offer (a closed dashboard tab): nothing is left to drop, and throwing here would
            // stop the site's pump and end every other connection of the site.
        }
    }

    internal void End() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _unsubscribe(this);
        _dropped.Dispose();
    }
}
