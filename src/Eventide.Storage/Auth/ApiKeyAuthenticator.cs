using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Eventide.Core;
using Npgsql;

namespace Eventide.Storage.Auth;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;key&gt;</c> to a <see cref="Caller"/>.
/// Keys are looked up by SHA-256 hash (so the clear key is never compared
/// character by character) and the admin token is compared in constant time.
/// Lookups are cached briefly so the hot path does not hit the database on
/// every request; a revoked key stops working within <see cref="CacheTtl"/>.
/// </summary>
public sealed class ApiKeyAuthenticator(NpgsqlDataSource dataSource, EventideOptions options, TimeProvider? time = null)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(30);
    private const int MaxCacheEntries = 100_000;

    private readonly ConcurrentDictionary<string, (Caller Caller, long ExpiresAt)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<(string Site, ApiKeyKind Kind)?>> _inflight = new(StringComparer.Ordinal);
    private readonly byte[] _adminHash = options.Admin.Token.Length > 0 ? SHA256.HashData(Encoding.UTF8.GetBytes(options.Admin.Token)) : [];
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Extracts the bearer token of an Authorization header value, or null.</summary>
    public static string? BearerToken(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = authorization[scheme.Length..].Trim();
        return token.Length is > 0 and <= 512 ? token : null;
    }

    public Task<Caller> AuthenticateHeaderAsync(string? authorization, CancellationToken cancellationToken) =>
        BearerToken(authorization) is { } token ? AuthenticateAsync(token, cancellationToken) : Task.FromResult(Caller.Anonymous);

    public async Task<Caller> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        // The cache first: every request of a client carries the same key, and hashing it for the
        // admin check each time cost 1.6 % of the machine's CPU at one event a request (a one-shot
        // SHA-256 through OpenSSL, docs/benchmark.md). A token is hashed once per cache lifetime.
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(token, out var hit) && hit.ExpiresAt > now)
        {
            return hit.Caller;
        }
        if (_adminHash.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), _adminHash))
        {
            Remember(token, Caller.Admin, now);
            return Caller.Admin;
        }
        // One lookup per key however many requests miss the cache at once: 10,000 live
        // dashboards connecting together would otherwise take 10,000 pooled connections.
        // The shared lookup ignores any one caller's cancellation; each waiter honours its own.
        var lookup = _inflight.GetOrAdd(token, t => new SiteStore(dataSource).FindKeyAsync(t, CancellationToken.None));
        (string Site, ApiKeyKind Kind)? found;
        try
        {
            found = await lookup.WaitAsync(cancellationToken);
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Task<(string Site, ApiKeyKind Kind)?>>(token, lookup));
        }
        var caller = found is { } f ? Caller.ForKey(f.Site, f.Kind) : Caller.Anonymous;
        Remember(token, caller, now);
        return caller;
    }

    private void Remember(string token, Caller caller, long now)
    {
        if (_cache.Count >= MaxCacheEntries)
        {
            // Bounded memory under a flood of random keys: start over rather than grow.
            _cache.Clear();
        }
        _cache[token] = (caller, now + (long)(CacheTtl.TotalSeconds * _time.TimestampFrequency));
    }
}
