using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// List, then watch from the list's resourceVersion, forever: the informer
/// pattern without the cache (KubernetesClient has no informer). Bookmarks
/// move the resourceVersion on so a reconnect resumes where it was; a 410
/// (expired resourceVersion, as a response or an ERROR event) means events
/// were missed, so it lists again and the consumer sees every current object
/// once more. Consumers are level-triggered, so seeing an object twice is harmless.
/// </summary>
/// <param name="list">Lists the objects; returns them and the list's resourceVersion.</param>
/// <param name="watch">Watches from a resourceVersion with bookmarks; reports ERROR events to the callback.</param>
public sealed class ListWatch<T>(
    string resource,
    Func<CancellationToken, Task<(IList<T> Items, string ResourceVersion)>> list,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> watch,
    ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
{
    /// <summary>Delay before re-listing after an unexpected error.</summary>
    public TimeSpan ErrorDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Runs until cancelled; <paramref name="onObject"/> gets every listed and watched object with its event type.</summary>
    public async Task RunAsync(Func<WatchEventType, T, CancellationToken, Task> onObject, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (items, resourceVersion) = await list(ct);
                Log.Listed(logger, resource, items.Count, resourceVersion);
                foreach (var item in items)
                {
                    await onObject(WatchEventType.Added, item, ct);
                }
                await WatchFromAsync(resourceVersion, onObject, ct);
                Log.WatchExpired(logger, resource);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiErrors.IsGone(e))
            {
                Log.WatchExpired(logger, resource);
            }
            catch (Exception e) when (ApiErrors.IsApiFailure(e))
            {
                Log.WatchFailed(logger, e, resource);
                await Task.Delay(ErrorDelay, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Watches until the version expires (returns) or the server fails (throws).</summary>
    private async Task WatchFromAsync(string resourceVersion, Func<WatchEventType, T, CancellationToken, Task> onObject, CancellationToken ct)
    {
        var rv = resourceVersion;
        while (!ct.IsCancellationRequested)
        {
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var gone = false;
            // The client reports an ERROR event through the callback and goes on reading;
            // a 410 there means this stream will never catch up, so end it and list again.
            void OnError(Exception e)
            {
                if (ApiErrors.IsGone(e))
                {
                    gone = true;
                    stream.Cancel();
                }
            }
            try
            {
                await foreach (var (type, obj) in watch(rv, OnError, stream.Token))
                {
                    if (obj.Metadata?.ResourceVersion is { Length: > 0 } next)
                    {
                        rv = next;
                    }
                    if (type != WatchEventType.Bookmark)
                    {
                        await onObject(type, obj, ct);
                    }
                }
            }
            catch (OperationCanceledException) when (gone && !ct.IsCancellationRequested)
            {
                // Ended on purpose: the version expired.
            }
            if (gone)
            {
                return;
            }
            // The server ended the watch (its timeout): resume from the last version seen.
        }
    }
}
