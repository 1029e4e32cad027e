using Eventide.Core;
using Eventide.Storage.Analytics;
using Eventide.Storage.Processing;
using Eventide.Testing;

namespace Eventide.Storage.Tests.Processing;

/// <summary>
/// The property-day aggregate against its raw events: materialized closed days answer
/// breakdowns, a late event stored through the shard consumer un-registers its day in the same
/// commit, and a materializer waits for a storing transaction that holds the day's shared lock.
/// </summary>
public class PropertyDayMaterializerTests(MigratedPostgresFixture db) : IClassFixture<MigratedPostgresFixture>
{
    private const int Shards = 64;
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);
    private static readonly DateTimeOffset Day = Today.AddDays(-3);

    private ShardConsumer Consumer() => new(db.DataSource, TimeSpan.FromHours(24));

    private static string Site(string prefix, int shard)
    {
        for (var i = 0; ; i++)
        {
            var site = $"{prefix}-{i}";
            if (ShardFunction.ShardOf(site, Shards) == shard)
            {
                return site;
            }
        }
    }

    private static EventRecord Event(string site, string id, DateTimeOffset time, string country) =>
        InboxTestWriter.Event(site, id, time, $"{{\"country\":\"{country}\",\"revenue\":{id.Length}}}");

    private async Task StoreAsync(int shard, params EventRecord[] events)
    {
        await InboxTestWriter.WriteAsync(db.DataSource, Shards, events);
        var result = await Consumer().ConsumeAsync(shard, 1000, null, CancellationToken.None);
        Assert.Equal(events.Length, result.Stored.Count);
    }

    private async Task<Dictionary<string, long>> CountryBreakdownAsync(string site)
    {
        var rows = await new AnalyticsStore(db.DataSource).BreakdownAsync(site, new TimeRange(Day, Today.AddDays(1)),
            new BreakdownKey(BreakdownDimension.Property, "country"), QueryFilter.None, null, 25, CancellationToken.None);
        return rows.ToDictionary(r => r.Key ?? "(none)", r => r.Events);
    }

    private Task<long> RegisteredAsync(string site, DateTimeOffset day) =>
        Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.property_day_state WHERE site_id = '{site}' AND day = '{day:O}'");

    [Fact]
    public async Task Late_event_unregisters_its_materialized_day_and_answers_stay_exact()
    {
        var site = Site("late", 3);
        await StoreAsync(3, Event(site, "a", Day.AddHours(2), "DE"), Event(site, "b", Day.AddHours(3), "FR"), Event(site, "c", Today.AddMinutes(1), "DE"));
        await new PropertyDayMaterializer(db.DataSource).MaterializeAllAsync(CancellationToken.None);
        Assert.Equal(1, await RegisteredAsync(site, Day));
        Assert.Equal(0, await RegisteredAsync(site, Today));
        Assert.Equal(new Dictionary<string, long> { ["DE"] = 2, ["FR"] = 1 }, await CountryBreakdownAsync(site));

        // The answer is read from the aggregate for the materialized day: a changed row shows.
        await Db.ScalarAsync(db.DataSource, $"WITH u AS (UPDATE eventide.property_days SET events = events + 100 WHERE site_id = '{site}' AND key = 'country' AND value = 'FR' RETURNING 1) SELECT count(*) FROM u");
        Assert.Equal(101, (await CountryBreakdownAsync(site))["FR"]);

        await StoreAsync(3, Event(site, "late", Day.AddHours(20), "FR"));
        Assert.Equal(0, await RegisteredAsync(site, Day));
        Assert.Equal(new Dictionary<string, long> { ["DE"] = 2, ["FR"] = 2 }, await CountryBreakdownAsync(site));

        await new PropertyDayMaterializer(db.DataSource).MaterializeAllAsync(CancellationToken.None);
        Assert.Equal(1, await RegisteredAsync(site, Day));
        Assert.Equal(new Dictionary<string, long> { ["DE"] = 2, ["FR"] = 2 }, await CountryBreakdownAsync(site));
    }

    [Fact]
    public async Task Materializer_waits_for_a_storing_transaction_holding_the_day_and_counts_its_event()
    {
        var site = Site("wait", 5);
        await StoreAsync(5, Event(site, "a", Day.AddHours(1), "DE"));
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            // As a storing transaction does: insert the late event, then take the day's shared lock
            // and un-register it; the materializer must wait for this commit before it reads.
            await using (var insert = new Npgsql.NpgsqlCommand(
                $"INSERT INTO eventide.events (time, site_id, event_id, name, properties, received_at) VALUES ('{Day.AddHours(5):O}', '{site}', 'held', 'pageview', '{{\"country\":\"GB\"}}', now())", conn, tx))
            {
                await insert.ExecuteNonQueryAsync();
            }
            await using (var forget = new Npgsql.NpgsqlCommand($"SELECT eventide.forget_property_days(ARRAY['{site}'], ARRAY['{Day.AddHours(5):O}'::timestamptz])", conn, tx))
            {
                await forget.ExecuteNonQueryAsync();
            }
            var materialize = new PropertyDayMaterializer(db.DataSource).MaterializeAllAsync(CancellationToken.None);
            await Eventually.WaitAsync(async () => await Db.ScalarAsync(db.DataSource,
                $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND mode = 'ExclusiveLock' AND classid = {AdvisoryLocks.PropertyDay} AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 1,
                TimeSpan.FromSeconds(30), "the materializer waiting for the day's lock");
            Assert.False(materialize.IsCompleted);
            await tx.CommitAsync();
            await materialize;
        }
        Assert.Equal(1, await RegisteredAsync(site, Day));
        Assert.Equal(new Dictionary<string, long> { ["DE"] = 1, ["GB"] = 1 }, await CountryBreakdownAsync(site));
    }

    [Fact]
    public async Task Retention_drops_the_property_days_of_the_partitions_it_drops()
    {
        var site = Site("retained", 9);
        var old = Day.AddDays(-10);
        await StoreAsync(9, Event(site, "a", old.AddHours(1), "DE"), Event(site, "b", Day.AddHours(1), "DE"));
        await new PropertyDayMaterializer(db.DataSource).MaterializeAllAsync(CancellationToken.None);
        Assert.Equal(1, await RegisteredAsync(site, old));

        Assert.NotNull(await new PartitionMaintenance(db.DataSource).DropBeforeAsync("events", old.AddDays(1), CancellationToken.None));
        Assert.Equal(0, await RegisteredAsync(site, old));
        Assert.Equal(0, await Db.ScalarAsync(db.DataSource, $"SELECT count(*) FROM eventide.property_days WHERE site_id = '{site}' AND day = '{old:O}'"));
        Assert.Equal(1, await RegisteredAsync(site, Day));
    }

    [Fact]
    public void Forget_command_is_sent_only_for_events_before_the_current_day()
    {
        var now = Today.AddHours(9);
        Assert.Null(ShardConsumer.ForgetPropertyDaysCommand([Event("s", "a", Today, "DE"), Event("s", "b", now, "DE")], now));
        var cmd = ShardConsumer.ForgetPropertyDaysCommand(
            [Event("s", "a", Day, "DE"), Event("s", "b", Day.AddHours(23), "DE"), Event("s", "c", Today, "DE"), Event("t", "d", Day.AddHours(1), "DE")], now);
        Assert.NotNull(cmd);
        Assert.Equal(new[] { "s", "t" }, (string[])cmd.Parameters[0].Value!);
        Assert.Equal(new[] { Day, Day }, (DateTimeOffset[])cmd.Parameters[1].Value!);
    }
}
