using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// One kind the operator owns, with the client calls it needs: server-side
/// apply, read and delete. The client does not fill apiVersion and kind into
/// an apply body, and the API server refuses an apply without them, so
/// <see cref="ApplyAsync"/> sets them from here.
/// </summary>
public sealed class OwnedKind<T>(
    string group,
    string version,
    string plural,
    string kind,
    Func<IKubernetes, V1Patch, string, string, string, CancellationToken, Task<T>> apply,
    Func<IKubernetes, string, string, CancellationToken, Task<T>> read,
    Func<IKubernetes, string, string, CancellationToken, Task> delete)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public string Group { get; } = group;

    public string Version { get; } = version;

    public string Plural { get; } = plural;

    public string Kind { get; } = kind;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Server-side apply under one field manager, forced: the operator's fields are the operator's.</summary>
    public Task<T> ApplyAsync(IKubernetes client, T obj, string fieldManager, CancellationToken ct)
    {
        obj.ApiVersion = ApiVersion;
        obj.Kind = Kind;
        var patch = new V1Patch(obj, V1Patch.PatchType.ApplyPatch);
        return apply(client, patch, obj.Metadata.Name, obj.Metadata.NamespaceProperty, fieldManager, ct);
    }

    /// <summary>The live object, or null when there is none.</summary>
    public async Task<T?> ReadAsync(IKubernetes client, string ns, string name, CancellationToken ct)
    {
        try
        {
            return await read(client, name, ns, ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes in the background (dependents by the garbage collector); false when it was not there.</summary>
    public async Task<bool> DeleteAsync(IKubernetes client, string ns, string name, CancellationToken ct)
    {
        try
        {
            await delete(client, name, ns, ct);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>A kind served through the custom objects API (a CRD), typed by our own class.</summary>
    public static OwnedKind<T> Custom(string group, string version, string plural, string kind) => new(
        group, version, plural, kind,
        (k, patch, name, ns, manager, ct) => k.CustomObjects.PatchNamespacedCustomObjectAsync<T>(
            patch, group, version, ns, plural, name, fieldManager: manager, force: true, cancellationToken: ct),
        (k, name, ns, ct) => k.CustomObjects.GetNamespacedCustomObjectAsync<T>(group, version, ns, plural, name, ct),
        (k, name, ns, ct) => k.CustomObjects.DeleteNamespacedCustomObjectAsync(
            group, version, ns, plural, name, propagationPolicy: "Background", cancellationToken: ct));
}
