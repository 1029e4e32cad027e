using Eventide.Bench;

namespace Eventide.Bench.Tests;

public class LoadRunnerTests
{
    private const string Refused = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 2\r\n\r\n{}";
    private const string Accepted = "HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"accepted\":10}";

    [Fact]
    public async Task A_closed_loop_worker_waits_out_Retry_After_until_the_run_is_stopped()
    {
        // Every answer is a refusal asking for 30 s: a worker that did not wait would post
        // thousands of requests before the stop.
        await using var server = ScriptedServer.Start(Refused);

        var (result, _) = await RunUntilAsync(server, connections: 2, _ => server.Requests >= 2);

        Assert.Equal(2, result.Requests);
        Assert.Equal(2, result.RetryAfterWaits);
        Assert.Equal(2, result.ByStatus[503]);
        Assert.Equal(0, result.AcceptedEvents);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Accepted_events_are_counted_while_the_run_goes_on()
    {
        await using var server = ScriptedServer.Start(Accepted);

        var (result, runner) = await RunUntilAsync(server, connections: 1, r => r.AcceptedSoFar >= 50);

        Assert.Equal(0, result.RetryAfterWaits);
        Assert.Equal(result.AcceptedEvents, runner.AcceptedSoFar);
        Assert.Equal(10 * result.Requests, result.AcceptedEvents);
    }

    /// <summary>
    /// A closed-loop run of 10-event batches whose own length (5 minutes) is far off: it ends by
    /// its stop, signalled once <paramref name="until"/> holds, which also cuts a Retry-After wait short.
    /// </summary>
    private static async Task<(LoadResult Result, LoadRunner Runner)> RunUntilAsync(ScriptedServer server, int connections, Func<LoadRunner, bool> until)
    {
        var runner = new LoadRunner(server.Uri, new Workload([("bench-000000", "k0")], duplicateShare: 0));
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync("test", connections, 10, TimeSpan.FromMinutes(5), null, CancellationToken.None, stop.Token);
        while (!until(runner))
        {
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        return (await run.WaitAsync(TimeSpan.FromSeconds(20)), runner);
    }
}
