using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Eventide.Testing.Kubernetes;

/// <summary>Fault injection: the next requests of a method on a resource fail with a chosen status code.</summary>
public sealed partial class FakeApiServer
{
    private readonly Dictionary<(string Method, string Plural), (int Count, int Code)> _faults = [];

    /// <summary>The next <paramref name="count"/> requests of this method on this resource fail with <paramref name="code"/>.</summary>
    public void FailNext(string method, string plural, int count, int code)
    {
        lock (_gate)
        {
            _faults[(method, plural)] = (count, code);
        }
    }

    private readonly Dictionary<(string Method, string Plural), int> _hangs = [];

    /// <summary>The next <paramref name="count"/> requests of this method on this resource never answer, until the client gives up.</summary>
    public void HangNext(string method, string plural, int count)
    {
        lock (_gate)
        {
            _hangs[(method, plural)] = count;
        }
    }

    /// <summary>Requests held by <see cref="HangNext"/> so far.</summary>
    public int HungRequests { get; private set; }

    private bool TakeHang(string method, string plural)
    {
        lock (_gate)
        {
            if (!_hangs.TryGetValue((method, plural), out var left) || left <= 0)
            {
                return false;
            }
            _hangs[(method, plural)] = left - 1;
            HungRequests++;
            return true;
        }
    }

    private Result Fault(string method, Route route, (int Count, int Code) fault)
    {
        _faults[(method, route.Plural)] = (fault.Count - 1, fault.Code);
        return Result.Error(fault.Code, fault.Code == 409 ? "Conflict" : "InternalError", $"injected failure of {method} {route.Plural}");
    }
}
