using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Eventide.Server;

/// <summary>
/// Kestrel endpoints from http(s):// addresses, each with its own protocols: the HTTP API
/// speaks HTTP/1.1 (and HTTP/2 over TLS), while gRPC needs cleartext HTTP/2, which Kestrel
/// serves only on an HTTP/2-only endpoint. UseUrls cannot set protocols per address.
/// </summary>
public static class KestrelListen
{
    /// <summary>Adds the endpoint; the returned options show the bound port once the server started.</summary>
    public static ListenOptions Add(KestrelServerOptions kestrel, string address, HttpProtocols protocols)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var binding = BindingAddress.Parse(address.Trim());
        ListenOptions? added = null;
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (binding.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                listen.UseHttps();
            }
            added = listen;
        }
        if (binding.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(binding.Port, Configure);
        }
        else if (IPAddress.TryParse(binding.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, binding.Port, Configure);
        }
        else
        {
            // "*", "+" or a host name: every interface, as Kestrel treats them in UseUrls.
            kestrel.ListenAnyIP(binding.Port, Configure);
        }
        return added!;
    }
}
