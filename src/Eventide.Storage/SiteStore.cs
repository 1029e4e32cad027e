using Eventide.Core;
using Npgsql;

namespace Eventide.Storage;

/// <summary>Sites and their hashed API keys.</summary>
public sealed class SiteStore(NpgsqlDataSource dataSource)
{
    /// <summary>Creates the site when new and adds a fresh write key and read key to it.</summary>
    public async Task<SiteKeys> CreateAsync(string siteId, CancellationToken cancellationToken)
    {
        if (!SiteId.IsValid(siteId))
        {
            throw new ArgumentException($"Site id '{siteId}' is invalid: use 1-64 of A-Z a-z 0-9 . _ -", nameof(siteId));
        }
        var write = ApiKey.Generate(ApiKeyKind.Write);
        var read = ApiKey.Generate(ApiKeyKind.Read);
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO eventide.sites (site_id) VALUES ($1) ON CONFLICT DO NOTHING", conn, tx))
        {
            cmd.Parameters.AddWithValue(siteId);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        await InsertKeyAsync(conn, tx, siteId, "write", write, cancellationToken);
        await InsertKeyAsync(conn, tx, siteId, "read", read, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new SiteKeys(siteId, write, read);
    }

    public async Task<IReadOnlyList<SiteInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("""
            SELECT s.site_id, s.created_at,
                   count(k.key_id) FILTER (WHERE k.kind = 'write' AND k.revoked_at IS NULL)::int,
                   count(k.key_id) FILTER (WHERE k.kind = 'read' AND k.revoked_at IS NULL)::int
            FROM eventide.sites s LEFT JOIN eventide.api_keys k ON k.site_id = s.site_id
            GROUP BY s.site_id, s.created_at ORDER BY s.site_id
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<SiteInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new SiteInfo(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2), reader.GetInt32(3)));
        }
        return list;
    }

    public async Task<bool> ExistsAsync(string siteId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM eventide.sites WHERE site_id = $1)");
        cmd.Parameters.AddWithValue(siteId);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Finds the site and kind a clear key belongs to, or null. The lookup is by
    /// hash, so the clear key is never compared character by character.
    /// </summary>
    public async Task<(string Site, ApiKeyKind Kind)?> FindKeyAsync(string key, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT site_id, kind FROM eventide.api_keys WHERE key_hash = $1 AND revoked_at IS NULL");
        cmd.Parameters.AddWithValue(ApiKey.Hash(key));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return (reader.GetString(0), reader.GetString(1) == "write" ? ApiKeyKind.Write : ApiKeyKind.Read);
    }

    private static async Task InsertKeyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string site, string kind, string key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO eventide.api_keys (site_id, kind, key_hash, key_prefix) VALUES ($1, $2, $3, $4)", conn, tx);
        cmd.Parameters.AddWithValue(site);
        cmd.Parameters.AddWithValue(kind);
        cmd.Parameters.AddWithValue(ApiKey.Hash(key));
        cmd.Parameters.AddWithValue(ApiKey.DisplayPrefix(key));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
