using Eventide.Core;
using Eventide.Storage.Inbox;
using Eventide.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Eventide.Storage.Tests.Inbox;

public class InboxRotationTests(MigratedPostgresFixture db, ITestOutputHelper output) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;
    private const int Iterations = 400;
    private const int RotateEvery = 10;

    [Fact]
    public async Task Sustained_insert_and_consume_keeps_the_rotated_inbox_bounded_while_without_rotation_it_grows()
    {
        // Vacuum off on the inbox: rotation alone must bound it, and the baseline shows
        // what dead tuples do when vacuum cannot keep up.
        await ExecAsync(string.Join(';', Enumerable.Range(0, InboxRotator.Slots).Select(s =>
            $"ALTER TABLE eventide.inbox_{s} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)")));

        var baseline = await RunAsync(rotate: false);
        await ExecAsync("TRUNCATE eventide.inbox");
        var rotated = await RunAsync(rotate: true);

        output.WriteLine($"without rotation: {string.Join(' ', baseline.Select(b => b / 1024))} KiB");
        output.WriteLine($"with rotation:    {string.Join(' ', rotated.Select(b => b / 1024))} KiB");
        var quarter = rotated.Count / 4;
        var early = rotated.Take(quarter).Max();
        var late = rotated.Skip(rotated.Count - quarter).Max();
        Assert.True(late <= (early * 3 / 2) + (64 * 1024), $"rotated inbox grew from {early} to {late} bytes");
        Assert.True(rotated.Max() * 4 < baseline[^1], $"rotated max {rotated.Max()} bytes vs. {baseline[^1]} bytes without rotation");
        Assert.True(baseline[^1] > baseline[quarter] * 2, "the baseline should grow under sustained insert-and-consume");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM eventide.inbox"));
    }

    [Fact]
    public async Task Rotate_never_truncates_a_slot_holding_rows_or_the_current_slot()
    {
        var writer = new InboxWriter(db.DataSource, Shards);
        var rotator = new InboxRotator(db.DataSource);
        var now = DateTimeOffset.UtcNow;
        var kept = new EventRecord("keep", "e", now, "kept-" + Guid.NewGuid().ToString("N"), null, null, null, null, null, now);
        await writer.WriteAsync([kept], null, CancellationToken.None);
        for (var i = 0; i < InboxRotator.Slots * 2; i++)
        {
            var result = await rotator.RotateAsync(TimeSpan.Zero, CancellationToken.None);
            Assert.True(result.Advanced);
            Assert.DoesNotContain(result.CurrentSlot, result.TruncatedSlots);
            var current = await CountAsync("SELECT current_slot FROM eventide.inbox_state");
            Assert.Equal(result.CurrentSlot, current);
            // Writes keep landing in whatever slot is current.
            var e = new EventRecord("keep", "e", now, "w-" + Guid.NewGuid().ToString("N"), null, null, null, null, null, now);
            await writer.WriteAsync([e], null, CancellationToken.None);
        }
        Assert.Contains(kept.EventId, await InboxReader.EventIdsAsync(db.DataSource));
        Assert.Equal(InboxRotator.Slots * 2 + 1, await CountAsync("SELECT count(*) FROM eventide.inbox"));

        var again = await rotator.RotateAsync(TimeSpan.FromHours(1), CancellationToken.None);
        Assert.False(again.Advanced);
    }

    private async Task<List<long>> RunAsync(bool rotate)
    {
        var writer = new InboxWriter(db.DataSource, Shards);
        var rotator = new InboxRotator(db.DataSource);
        var sizes = new List<long>();
        var sites = Enumerable.Range(0, 8).Select(i => "site-" + i).ToArray();
        var padding = new string('p', 300);
        for (var i = 0; i < Iterations; i++)
        {
            var now = DateTimeOffset.UtcNow;
            var events = Enumerable.Range(0, 40).Select(j => new EventRecord(
                sites[j % sites.Length], "load", now, Guid.NewGuid().ToString(), "/p", null, "u" + j, null,
                $"{{\"pad\":\"{padding}{Guid.NewGuid()}\"}}", now)).ToList();
            await writer.WriteAsync(events, null, CancellationToken.None);
            await ConsumeAllAsync();
            if ((i + 1) % RotateEvery == 0)
            {
                // The size just before rotating is the largest of the period.
                sizes.Add(await InboxRotator.SizeAsync(db.DataSource, CancellationToken.None));
                if (rotate)
                {
                    await rotator.RotateAsync(TimeSpan.Zero, CancellationToken.None);
                }
            }
        }
        return sizes;
    }

    /// <summary>Consumes the way the processor does: claim rows per shard in id order, delete them in one transaction.</summary>
    private async Task ConsumeAllAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var shards = new List<int>();
        await using (var cmd = new NpgsqlCommand("SELECT DISTINCT shard FROM eventide.inbox", conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                shards.Add(reader.GetInt32(0));
            }
        }
        foreach (var shard in shards)
        {
            var ids = new List<long>();
            await using (var select = new NpgsqlCommand("SELECT id, payload FROM eventide.inbox WHERE shard = $1 ORDER BY id LIMIT 100", conn, tx))
            {
                select.Parameters.AddWithValue(shard);
                await using var reader = await select.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    ids.Add(reader.GetInt64(0));
                    InboxCodec.Decode(reader.GetFieldValue<byte[]>(1));
                }
            }
            await using var delete = new NpgsqlCommand("DELETE FROM eventide.inbox WHERE shard = $1 AND id = ANY($2)", conn, tx);
            delete.Parameters.AddWithValue(shard);
            delete.Parameters.AddWithValue(ids.ToArray());
            await delete.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    private async Task ExecAsync(string sql)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
