using Eventide.Testing;

namespace Eventide.Server.Tests;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.InvokeAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("run", "--roles", "ingestion,nonsense")]
    [InlineData("run", "--listen", "not a url")]
    [InlineData("sites", "create", "has space")]
    [InlineData("sites", "create")]
    [InlineData("migrate", "--timescale", "sometimes")]
    public async Task Invoke_with_bad_arguments_prints_one_line_and_exits_2(params string[] args)
    {
        var (code, _, err) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("eventide: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_with_an_unknown_flag_and_no_command_names_the_flag()
    {
        var (code, _, err) = await RunAsync("--bogus");
        Assert.Equal(2, code);
        Assert.Equal("eventide: unknown option '--bogus' (see `eventide --help`)", err.TrimEnd());
    }

    [Fact]
    public async Task Invoke_with_an_invalid_timescale_mode_lists_the_choices()
    {
        var (code, _, err) = await RunAsync("migrate", "--timescale", "maybe");
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("'maybe'", err, StringComparison.Ordinal);
        Assert.Contains("auto, required or off", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("sites", "list")]
    [InlineData("run", "--no-migrate")]
    public async Task Invoke_with_a_malformed_connection_string_exits_2(params string[] args)
    {
        var (code, _, err) = await RunAsync([.. args, "--connection-string", "this is not a connection string"]);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("eventide: Eventide:Database:ConnectionString is not a valid connection string", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_without_connection_string_explains_the_setting()
    {
        var saved = Environment.GetEnvironmentVariable("Eventide__Database__ConnectionString");
        Environment.SetEnvironmentVariable("Eventide__Database__ConnectionString", null);
        try
        {
            var (code, _, err) = await RunAsync("migrate");
            Assert.Equal(2, code);
            Assert.Contains("Eventide__Database__ConnectionString", err, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Eventide__Database__ConnectionString", saved);
        }
    }

    [Fact]
    public async Task Migrate_with_timescaledb_installed_but_not_preloaded_warns_once_and_uses_plain_mode()
    {
        var standIn = new StandInTimescalePostgres();
        (int Code, string Out, string Err) first, second, required;
        try
        {
            await standIn.InitializeAsync();
            var cs = await standIn.NewDatabaseAsync();
            first = await RunAsync("migrate", "--connection-string", cs);
            second = await RunAsync("migrate", "--connection-string", cs);
            required = await RunAsync("migrate", "--timescale", "required", "--connection-string", await standIn.NewDatabaseAsync());
        }
        finally
        {
            await standIn.DisposeAsync();
        }

        Assert.Equal(0, first.Code);
        Assert.Contains("in plain mode", first.Out, StringComparison.Ordinal);
        var warning = Assert.Single(first.Err.TrimEnd().Split('\n'));
        Assert.StartsWith("eventide: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("shared_preload_libraries = 'timescaledb'", warning, StringComparison.Ordinal);
        Assert.Equal((0, ""), (second.Code, second.Err));
        Assert.Equal(1, required.Code);
        Assert.Contains("shared_preload_libraries = 'timescaledb'", Assert.Single(required.Err.TrimEnd().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (code, output, _) = await RunAsync("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("0.1.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_then_sites_create_json_then_list_shows_the_site()
    {
        var db = new PostgresFixture();
        await db.InitializeAsync();
        try
        {
            Assert.Equal(0, (await RunAsync("migrate", "--connection-string", db.ConnectionString, "--timescale", "off")).Code);
            var (code, output, _) = await RunAsync("sites", "create", "cli-site", "--json", "--connection-string", db.ConnectionString);
            Assert.Equal(0, code);
            using var json = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal("cli-site", json.RootElement.GetProperty("site").GetString());
            Assert.StartsWith("evw_", json.RootElement.GetProperty("write_key").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("evr_", json.RootElement.GetProperty("read_key").GetString(), StringComparison.Ordinal);
            var list = await RunAsync("sites", "list", "--connection-string", db.ConnectionString);
            Assert.Contains("cli-site", list.Out, StringComparison.Ordinal);
        }
        finally
        {
            await db.DisposeAsync();
        }
    }
}
