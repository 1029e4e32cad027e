using System.Net;

namespace Eventide.Operator.Kubernetes;

/// <summary>A non-success answer of the API server, with its metav1.Status reason.</summary>
public sealed class KubeApiException(HttpStatusCode statusCode, string reason, string message)
    : Exception($"{(int)statusCode} {reason}: {message}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string Reason { get; } = reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == HttpStatusCode.Conflict;

    /// <summary>410: the resourceVersion asked for is older than the server keeps; list again.</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}
