using Eventide.Core;
using Eventide.Testing;
using Xunit.Abstractions;

namespace Eventide.Processor.Tests;

public class RebalanceTests(SixteenShardFixture db, ITestOutputHelper output) : IClassFixture<SixteenShardFixture>
{
    [Fact]
    public async Task Join_and_leave_keep_one_owner_per_shard_store_everything_once_and_hand_off_within_two_timeouts()
    {
        var options = db.Processors();
        var timeout = TimeSpan.FromMilliseconds(options.Processor.HeartbeatTimeoutMs);
        var hosts = new List<ProcessorHost>();
        var written = new List<EventRecord>();
        using var stopWriting = new CancellationTokenSource();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                hosts.Add(await ProcessorHost.StartAsync(options));
            }
            List<ShardCoordinator> Running() => [.. hosts.Where(h => !h.Stopped).Select(h => h.Coordinator)];
            await AllShardsOwnedAsync(Running);

            await using var sampler = new OwnershipSampler(db.DataSource, db.Shards, () => Running());
            sampler.Start();
            var writer = Task.Run(async () =>
            {
                for (var n = 0; !stopWriting.IsCancellationRequested; n++)
                {
                    var batch = Enumerable.Range(0, 20)
                        .Select(i => InboxTestWriter.Event($"rb-site-{(n + i) % 50}", $"rb-{n}-{i}", DateTimeOffset.UtcNow)).ToList();
                    await InboxTestWriter.WriteAsync(db.DataSource, db.Shards, batch);
                    lock (written)
                    {
                        written.AddRange(batch);
                    }
                    await Task.Delay(10);
                }
            });

            await Eventually.WaitAsync(async () => await Db.EventCountAsync(db.DataSource) > 100, TimeSpan.FromSeconds(20), "events stored before the sequence");
            await hosts[1].StopAsync();
            await AllShardsOwnedAsync(Running);
            hosts.Add(await ProcessorHost.StartAsync(options));
            hosts.Add(await ProcessorHost.StartAsync(options));
            await AllShardsOwnedAsync(Running);
            await Eventually.WaitAsync(() => Task.FromResult(Running().All(c => c.OwnedShards.Count > 0)), TimeSpan.FromSeconds(20),
                "every running member, the two newcomers included, to own shards");

            await stopWriting.CancelAsync();
            await writer;
            await Eventually.WaitAsync(async () => await Db.InboxEventsAsync(db.DataSource) == 0, TimeSpan.FromSeconds(30), "the inbox to drain");
            await sampler.StopAsync();

            output.WriteLine($"ownership samples: {sampler.Samples}, longest unowned gap: {sampler.MaxUnownedGap.TotalMilliseconds:F0} ms " +
                $"(heartbeat timeout {timeout.TotalMilliseconds} ms), events written: {written.Count}");
            Assert.True(sampler.Samples > 50, $"only {sampler.Samples} samples");
            Assert.Empty(sampler.Conflicts);
            Assert.True(sampler.MaxUnownedGap <= 2 * timeout, $"a shard was unowned for {sampler.MaxUnownedGap.TotalMilliseconds} ms");

            var final = Running();
            Assert.Equal(4, final.Count);
            // Converges to the one assignment all members compute (a member that missed a heartbeat
            // on a loaded machine is briefly counted out and then back in, so this is awaited).
            var members = final.Select(c => c.MemberId).ToList();
            await Eventually.WaitAsync(() => Task.FromResult(final.All(c =>
                ShardAssignment.ShardsOf(c.MemberId, members, db.Shards).SetEquals(c.OwnedShards))), TimeSpan.FromSeconds(20),
                "every member to own exactly the shards the assignment over all four gives it");
            Assert.Equal(Enumerable.Range(0, db.Shards), final.SelectMany(c => c.OwnedShards).Order());

            var stored = await Db.StoredAsync(db.DataSource);
            Assert.Equal(written.Select(e => (e.SiteId, e.EventId)).Order(), stored.Keys.Order());
            Assert.All(stored, kv => Assert.Equal(1, kv.Value));
        }
        finally
        {
            await stopWriting.CancelAsync();
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private async Task AllShardsOwnedAsync(Func<IReadOnlyList<ShardCoordinator>> running)
    {
        await Eventually.WaitAsync(() =>
        {
            var owned = running().SelectMany(c => c.OwnedShards).ToList();
            return Task.FromResult(owned.Count == db.Shards && owned.Distinct().Count() == db.Shards);
        }, TimeSpan.FromSeconds(20), "every shard to be owned by exactly one running member");
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(db.Shards, (await Db.ShardLocksAsync(conn)).Count);
    }
}
