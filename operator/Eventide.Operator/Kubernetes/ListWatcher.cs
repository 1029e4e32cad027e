using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// List, then watch from the list's resourceVersion, forever: the informer
/// pattern without the cache. Bookmarks move the resourceVersion on so a
/// reconnect resumes where it was; a 410 (expired resourceVersion, as a
/// response or an ERROR event) means events were missed, so it lists again,
/// and the consumer sees every current object once more. Consumers are
/// level-triggered, so seeing an object twice is harmless.
/// </summary>
public sealed class ListWatcher(IKubernetesApi api, ResourceType type, string? ns, string? labelSelector, ILogger logger)
{
    /// <summary>Delay before re-listing after an unexpected error.</summary>
    public TimeSpan ErrorDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Runs until cancelled; <paramref name="onObject"/> gets every listed and watched object with its event type.</summary>
    public async Task RunAsync(Func<string, JsonObject, CancellationToken, Task> onObject, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await api.ListAsync(type, ns, labelSelector, ct);
                Log.Listed(logger, type.Plural, list.Items.Count, list.ResourceVersion);
                foreach (var item in list.Items)
                {
                    await onObject(WatchEvent.Added, item, ct);
                }
                await WatchFromAsync(list.ResourceVersion, onObject, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (KubeApiException e) when (e.IsGone)
            {
                Log.WatchExpired(logger, type.Plural);
            }
            catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or System.Text.Json.JsonException)
            {
                Log.WatchFailed(logger, e, type.Plural);
                await Task.Delay(ErrorDelay, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task WatchFromAsync(string resourceVersion, Func<string, JsonObject, CancellationToken, Task> onObject, CancellationToken ct)
    {
        var rv = resourceVersion;
        while (!ct.IsCancellationRequested)
        {
            await foreach (var e in api.WatchAsync(type, ns, rv, labelSelector, ct))
            {
                if ((string?)e.Object["metadata"]?["resourceVersion"] is { Length: > 0 } next)
                {
                    rv = next;
                }
                if (e.Type != WatchEvent.Bookmark)
                {
                    await onObject(e.Type, e.Object, ct);
                }
            }
            // The server ended the watch (its timeout): resume from the last version seen.
        }
    }
}
