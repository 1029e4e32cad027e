using System.Diagnostics;
using Eventide.Testing;
using Npgsql;
using NpgsqlTypes;
using Xunit.Abstractions;

namespace Eventide.Storage.Tests.Timescale;

/// <summary>
/// The wire-protocol behaviour the product relies on, against the engine's
/// shared single backend: parameters, transactions, visibility between
/// connections, disconnects, bulk inserts.
/// </summary>
[Collection(TimescaleEngineCollection.Name)]
public sealed class TimescaleEngineConnectionTests(TimescaleEngineFixture engine, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Schema = "ts_connection";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => engine.ResetSchemaAsync(Schema);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Parameters_round_trip_over_the_extended_protocol()
    {
        var at = new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc);
        await using var connection = await engine.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT $1 + 1, $2 || '!', $3 + interval '1 hour', cardinality($4), $5::jsonb ->> 'k'", connection)
        {
            Parameters =
            {
                new() { Value = 41 },
                new() { Value = "héllo" },
                new() { Value = at },
                new() { Value = new[] { "a", "b", "c" } },
                new() { Value = """{"k":"v"}""", NpgsqlDbType = NpgsqlDbType.Jsonb },
            },
        };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(42, reader.GetInt32(0));
        Assert.Equal("héllo!", reader.GetString(1));
        Assert.Equal(at.AddHours(1), reader.GetDateTime(2));
        Assert.Equal(3, reader.GetInt32(3));
        Assert.Equal("v", reader.GetString(4));
    }

    [Fact]
    public async Task Table_created_on_one_connection_is_visible_on_the_next()
    {
        await using (var first = await engine.OpenConnectionAsync())
        {
            await Execute(first, $"CREATE TABLE {Schema}.made_here (id int PRIMARY KEY)");
            await Execute(first, $"INSERT INTO {Schema}.made_here VALUES (1), (2)");
        }

        await using var second = await engine.OpenConnectionAsync();
        Assert.Equal(2L, await Scalar<long>(second, $"SELECT count(*) FROM {Schema}.made_here"));
    }

    [Fact]
    public async Task Committed_transaction_is_visible_and_rolled_back_one_is_not()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.tx (id int)");
        await using (var connection = await engine.OpenConnectionAsync())
        {
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await Execute(connection, $"INSERT INTO {Schema}.tx VALUES (1)", tx);
                await tx.CommitAsync();
            }

            await using (var tx = await connection.BeginTransactionAsync())
            {
                await Execute(connection, $"INSERT INTO {Schema}.tx VALUES (2)", tx);
                await tx.RollbackAsync();
            }
        }

        Assert.Equal(1, await engine.ScalarAsync<int>($"SELECT sum(id)::int FROM {Schema}.tx"));
    }

    [Fact]
    public async Task Disconnect_in_the_middle_of_a_transaction_rolls_it_back()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.abandoned (id int)");
        var leaving = await engine.OpenConnectionAsync();
        var tx = await leaving.BeginTransactionAsync();
        await Execute(leaving, $"INSERT INTO {Schema}.abandoned VALUES (1)", tx);
        // Closing without commit or rollback: the socket goes away while the
        // shared backend is inside the transaction block.
        await leaving.DisposeAsync();

        await AssertIdleAndEmpty("abandoned");
    }

    [Fact]
    public async Task Dropped_client_in_the_middle_of_an_extended_batch_leaves_nothing_behind()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.unsynced (id int)");
        await using (var client = await RawWireClient.ConnectAsync(engine.ConnectionString))
        {
            await client.ParseAsync($"INSERT INTO {Schema}.unsynced VALUES (1)");
            await client.BindAsync();
            await client.ExecuteAsync();
            await client.FlushAsync();
            // Executed, but its Sync never comes: the implicit transaction
            // must not commit.
            await client.ReadUntilAsync('C');
        }

        await AssertIdleAndEmpty("unsynced");
    }

    [Fact]
    public async Task Dropped_client_in_the_middle_of_a_copy_leaves_nothing_behind()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.half_copied (id int)");
        await using (var client = await RawWireClient.ConnectAsync(engine.ConnectionString))
        {
            await client.QueryAsync($"COPY {Schema}.half_copied FROM STDIN");
            await client.ReadUntilAsync('G');
            await client.CopyDataAsync("1\n2\n");
        }

        await AssertIdleAndEmpty("half_copied");
    }

    [Fact]
    public async Task Dropped_client_in_the_middle_of_the_handshake_does_not_block_others()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.nothing (id int)");
        await using (await RawWireClient.ConnectAsync(engine.ConnectionString, completeHandshake: false))
        {
        }

        await AssertIdleAndEmpty("nothing");
    }

    [Fact]
    public async Task Pooled_connection_after_its_reset_still_finds_public_and_gets_no_debug_notices()
    {
        var pooled = new NpgsqlConnectionStringBuilder(engine.ConnectionString) { Pooling = true, MaxPoolSize = 1 };
        await using var dataSource = NpgsqlDataSource.Create(pooled.ConnectionString);
        await using (var first = await dataSource.OpenConnectionAsync())
        {
            await Execute(first, "SET search_path TO pg_catalog");
        }

        // The same physical connection, reset with DISCARD ALL before this
        // command runs.
        await using var second = await dataSource.OpenConnectionAsync();
        var notices = new List<string>();
        second.Notice += (_, e) => notices.Add($"{e.Notice.Severity}: {e.Notice.MessageText}");
        Assert.Equal("\"$user\", public", await Scalar<string>(second, "SHOW search_path"));
        Assert.Equal(1L, await Scalar<long>(second, "SELECT count(*) FROM pg_proc WHERE proname = 'by_range' AND pg_function_is_visible(oid)"));
        Assert.Empty(notices);
    }

    [Fact]
    public async Task Concurrent_connection_waits_for_the_open_transaction_and_does_not_join_it()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.apart (who text)");
        await using var owner = await engine.OpenConnectionAsync();
        await using var tx = await owner.BeginTransactionAsync();
        await Execute(owner, $"INSERT INTO {Schema}.apart VALUES ('owner')", tx);

        var other = Task.Run(async () =>
        {
            await using var connection = await engine.OpenConnectionAsync();
            await Execute(connection, $"INSERT INTO {Schema}.apart VALUES ('other')");
        });

        // The other client must not run inside the owner's transaction: it
        // waits until the block ends. Give it time to try, bounded.
        var finishedEarly = await Task.WhenAny(other, Task.Delay(TimeSpan.FromMilliseconds(500))) == other;
        await tx.RollbackAsync();
        await other.WaitAsync(Deadline);

        Assert.False(finishedEarly, "the second connection ran while the first was inside a transaction");
        Assert.Equal("other", await engine.ScalarAsync<string>($"SELECT string_agg(who, ',') FROM {Schema}.apart"));
    }

    [Fact]
    public async Task Many_concurrent_connections_each_commit_their_own_rows()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.many (worker int, n int)");
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 5; n++)
            {
                await using var connection = await engine.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                await Execute(connection, $"INSERT INTO {Schema}.many VALUES ({worker}, {n})", tx);
                await Execute(connection, $"INSERT INTO {Schema}.many VALUES ({worker}, {n + 100})", tx);
                if (n % 2 == 0)
                {
                    await tx.CommitAsync();
                }
                else
                {
                    await tx.RollbackAsync();
                }
            }
        }));
        await Task.WhenAll(workers).WaitAsync(Deadline);

        // Per worker: n = 0, 2, 4 committed, two rows each.
        Assert.Equal(8L * 3 * 2, await engine.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.many"));
        Assert.Equal(0L, await engine.ScalarAsync<long>($"SELECT count(*) FROM {Schema}.many WHERE n % 2 = 1"));
    }

    [Fact]
    public async Task Error_in_a_statement_leaves_the_connection_usable()
    {
        await using var connection = await engine.OpenConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => Scalar<int>(connection, "SELECT 1 / $1", 0));
        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.Equal(2, await Scalar<int>(connection, "SELECT 2"));

        await using var tx = await connection.BeginTransactionAsync();
        await Assert.ThrowsAsync<PostgresException>(() => Scalar<int>(connection, "SELECT 1 / 0", tx: tx));
        await tx.RollbackAsync();
        Assert.Equal(3, await Scalar<int>(connection, "SELECT 3"));
    }

    [Fact]
    public async Task Unnest_insert_stores_ten_thousand_rows()
    {
        const int Rows = 10_000;
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.bulk (id bigint, site text, at timestamptz, props jsonb)");
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var ids = Enumerable.Range(0, Rows).Select(i => (long)i).ToArray();
        var sites = ids.Select(i => $"site-{i % 7}").ToArray();
        var times = ids.Select(i => start.AddSeconds(i)).ToArray();
        var props = ids.Select(i => $$"""{"i":{{i}}}""").ToArray();

        await using var connection = await engine.OpenConnectionAsync();
        var clock = Stopwatch.StartNew();
        await using (var command = new NpgsqlCommand(
            $"INSERT INTO {Schema}.bulk SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::jsonb[])",
            connection))
        {
            command.Parameters.Add(new() { Value = ids });
            command.Parameters.Add(new() { Value = sites });
            command.Parameters.Add(new() { Value = times });
            command.Parameters.Add(new() { Value = props, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            Assert.Equal(Rows, await command.ExecuteNonQueryAsync());
        }

        clock.Stop();
        output.WriteLine($"unnest insert: {Rows} rows in {clock.ElapsedMilliseconds} ms ({Rows / clock.Elapsed.TotalSeconds:F0} rows/s)");
        Assert.Equal((long)Rows * (Rows - 1) / 2, await Scalar<decimal>(connection, $"SELECT sum(id) FROM {Schema}.bulk"));
    }

    [Fact]
    public async Task Binary_copy_stores_rows()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.copied (id int, name text)");
        await using var connection = await engine.OpenConnectionAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(
            $"COPY {Schema}.copied (id, name) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < 1000; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(i, NpgsqlDbType.Integer);
                await importer.WriteAsync($"row {i}", NpgsqlDbType.Text);
            }

            Assert.Equal(1000UL, await importer.CompleteAsync());
        }

        Assert.Equal(1000L, await Scalar<long>(connection, $"SELECT count(*) FROM {Schema}.copied"));
    }

    [Fact]
    public async Task Copy_sent_as_a_command_fails_without_taking_the_engine_down()
    {
        await engine.ExecuteAsync($"CREATE TABLE {Schema}.not_copied (id int)");
        await using var connection = await engine.OpenConnectionAsync();
        // NpgsqlCommand uses the extended protocol, where the engine cannot
        // take COPY data: the statement must fail, not crash the engine.
        var error = await Assert.ThrowsAsync<PostgresException>(
            () => Execute(connection, $"COPY {Schema}.not_copied FROM STDIN"));
        Assert.Contains("COPY FROM STDIN needs the simple query protocol", error.MessageText, StringComparison.Ordinal);

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, $"COPY {Schema}.not_copied FROM STDIN", tx));
            var aborted = await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "SELECT 1", tx));
            Assert.Equal(PostgresErrorCodes.InFailedSqlTransaction, aborted.SqlState);
        }

        await AssertIdleAndEmpty("not_copied");
    }

    [Fact]
    public async Task Advisory_lock_is_taken_and_released()
    {
        await using var connection = await engine.OpenConnectionAsync();
        await Execute(connection, "SELECT pg_advisory_lock(4242)");
        Assert.Equal(1L, await Scalar<long>(connection, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242"));
        Assert.True(await Scalar<bool>(connection, "SELECT pg_advisory_unlock(4242)"));
        Assert.True(await Scalar<bool>(connection, "SELECT pg_try_advisory_xact_lock(4243)"));
    }

    [Fact]
    public async Task Notify_reaches_a_listener_on_the_same_connection()
    {
        await using var connection = await engine.OpenConnectionAsync();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Notification += (_, e) => received.TrySetResult(e.Payload);
        await Execute(connection, "LISTEN eventide_test");
        await Execute(connection, "SELECT pg_notify('eventide_test', 'hello')");
        Assert.Equal("hello", await received.Task.WaitAsync(Deadline));
        await Execute(connection, "UNLISTEN eventide_test");
    }

    private async Task AssertIdleAndEmpty(string table)
    {
        await using var connection = await engine.OpenConnectionAsync();
        Assert.Equal(0L, await Scalar<long>(connection, $"SELECT count(*) FROM {Schema}.{table}"));
        // Inside a leftover transaction block two statements would share one
        // transaction id; each autocommit statement gets its own.
        var first = await Scalar<string>(connection, "SELECT pg_current_xact_id()::text");
        var second = await Scalar<string>(connection, "SELECT pg_current_xact_id()::text");
        Assert.NotEqual(first, second);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql, int? parameter = null, NpgsqlTransaction? tx = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        if (parameter is not null)
        {
            command.Parameters.Add(new() { Value = parameter.Value });
        }

        var value = await command.ExecuteScalarAsync();
        return value is T typed ? typed : throw new InvalidOperationException($"`{sql}` returned {value ?? "null"}");
    }
}
