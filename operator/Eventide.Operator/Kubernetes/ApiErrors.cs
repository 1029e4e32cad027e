using System.Net;
using k8s.Autorest;

namespace Eventide.Operator.Kubernetes;

/// <summary>How the client reports API server answers, read as the outcomes the operator cares about.</summary>
public static class ApiErrors
{
    public static bool IsStatus(Exception e, HttpStatusCode code) =>
        e is HttpOperationException { Response.StatusCode: var c } && c == code
        || e is k8s.KubernetesException { Status.Code: var s } && s == (int)code;

    public static bool IsNotFound(Exception e) => IsStatus(e, HttpStatusCode.NotFound);

    /// <summary>The resourceVersion a watch asked for is older than the server keeps.</summary>
    public static bool IsGone(Exception e) => IsStatus(e, HttpStatusCode.Gone);

    public static bool IsConflict(Exception e) => IsStatus(e, HttpStatusCode.Conflict);

    /// <summary>An answer or transport failure of the API server, as opposed to a bug of ours.</summary>
    public static bool IsApiFailure(Exception e) =>
        e is HttpOperationException or k8s.KubernetesException or HttpRequestException or IOException or System.Text.Json.JsonException;
}
