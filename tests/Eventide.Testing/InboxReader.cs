using Eventide.Core;
using Npgsql;
using Xunit;

namespace Eventide.Testing;

/// <summary>Reads back what the inbox holds, decoding payloads with <see cref="InboxCodec"/>.</summary>
public static class InboxReader
{
    public static async Task<List<(int Shard, EventRecord Event)>> ReadAllAsync(NpgsqlDataSource dataSource)
    {
        var result = new List<(int, EventRecord)>();
        await using var cmd = dataSource.CreateCommand("SELECT shard, event_count, payload FROM eventide.inbox ORDER BY id");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var shard = reader.GetInt32(0);
            var events = InboxCodec.Decode(reader.GetFieldValue<byte[]>(2));
            Assert.Equal(reader.GetInt32(1), events.Count);
            result.AddRange(events.Select(e => (shard, e)));
        }
        return result;
    }

    public static async Task<HashSet<string>> EventIdsAsync(NpgsqlDataSource dataSource) =>
        [.. (await ReadAllAsync(dataSource)).Select(x => x.Event.EventId)];
}
