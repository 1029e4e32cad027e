using System.CommandLine;
using System.Text.Json;
using Eventide.Core;
using Eventide.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Eventide.Server;

/// <summary>
/// The `eventide` command line. Argument and configuration errors print one
/// line to stderr and exit with 2; runtime failures exit with 1.
/// </summary>
public static class Cli
{
    public const int ExitUsage = 2;
    public const int ExitFailure = 1;

    private static readonly Option<string?> ConnectionString = new("--connection-string")
    {
        Description = "PostgreSQL connection string (overrides Eventide__Database__ConnectionString)",
        Recursive = true,
    };

    private static readonly Option<TimescaleMode?> Timescale = new("--timescale")
    {
        Description = "Use TimescaleDB: auto, required or off (overrides Eventide__Database__Timescale)",
        Recursive = true,
        // Own parser: the default one answers an enum typo with "Did you mean
        // one of the following?" and the choices on later lines, which the
        // one-line error below would cut off.
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!int.TryParse(token, out _) && Enum.TryParse<TimescaleMode>(token, ignoreCase: true, out var mode))
            {
                return mode;
            }
            result.AddError($"--timescale '{token}' is not valid: use auto, required or off");
            return null;
        },
    };

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Eventide: event analytics pipeline (ingestion, processor, query)");
        root.Options.Add(ConnectionString);
        root.Options.Add(Timescale);
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionAction(stdout);
        }

        var roles = new Option<string>("--roles") { Description = "all, or a comma-separated list of ingestion, processor, query", DefaultValueFactory = _ => "all" };
        var listen = new Option<string>("--listen") { Description = "HTTP address to serve on", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var noMigrate = new Option<bool>("--no-migrate") { Description = "Do not apply migrations at start (another process does)" };
        var run = new Command("run", "Run the chosen roles on one HTTP port") { roles, listen, noMigrate };
        run.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(roles)!, parse.GetValue(listen)!, !parse.GetValue(noMigrate), stderr, ct));
        root.Subcommands.Add(run);

        var migrate = new Command("migrate", "Create or upgrade the schema (idempotent; safe to run concurrently)");
        migrate.SetAction((parse, ct) => WithStorage(parse, stderr, async (options, dataSource) =>
        {
            var result = await new Migrator(dataSource, options, NullLogger<Migrator>.Instance).MigrateAsync(ct);
            if (result.Warning is { } warning)
            {
                await stderr.WriteLineAsync($"eventide: warning: {warning}");
            }
            await stdout.WriteLineAsync(
                $"schema at version {result.Version} in {result.Mode.ToString().ToLowerInvariant()} mode, {result.Shards} shards ({result.Applied} migrations applied)");
            return 0;
        }));
        root.Subcommands.Add(migrate);

        var sites = new Command("sites", "Manage sites and their API keys");
        var siteArg = new Argument<string>("site") { Description = "Site id: 1-64 of A-Z a-z 0-9 . _ -" };
        var json = new Option<bool>("--json") { Description = "Print JSON for scripts" };
        var create = new Command("create", "Create a site (or add keys to it) and print a new write key and read key once") { siteArg, json };
        create.Validators.Add(r =>
        {
            var value = r.GetValue(siteArg);
            if (value is not null && !SiteId.IsValid(value))
            {
                r.AddError($"site id '{value}' is invalid: use 1-64 of A-Z a-z 0-9 . _ -");
            }
        });
        create.SetAction((parse, ct) => WithStorage(parse, stderr, async (options, dataSource) =>
        {
            var keys = await new SiteStore(dataSource).CreateAsync(parse.GetValue(siteArg)!, ct);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { site = keys.Site, write_key = keys.WriteKey, read_key = keys.ReadKey }));
            }
            else
            {
                await stdout.WriteLineAsync($"site:      {keys.Site}\nwrite key: {keys.WriteKey}\nread key:  {keys.ReadKey}\n(the keys are shown only now; they are stored hashed)");
            }
            return 0;
        }));
        var list = new Command("list", "List sites and their active key counts") { json };
        list.SetAction((parse, ct) => WithStorage(parse, stderr, async (options, dataSource) =>
        {
            var all = await new SiteStore(dataSource).ListAsync(ct);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(all.Select(s => new { site = s.Site, created_at = s.CreatedAt, write_keys = s.WriteKeys, read_keys = s.ReadKeys })));
                return 0;
            }
            await stdout.WriteLineAsync($"{"SITE",-32} {"CREATED",-25} WRITE READ");
            foreach (var s in all)
            {
                await stdout.WriteLineAsync($"{s.Site,-32} {s.CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}      {s.WriteKeys,5} {s.ReadKeys,4}");
            }
            return 0;
        }));
        sites.Subcommands.Add(create);
        sites.Subcommands.Add(list);
        root.Subcommands.Add(sites);
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"eventide: {UsageError(parse)} (see `eventide --help`)");
            return ExitUsage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken);
    }

    /// <summary>
    /// The one line that says what is wrong. An unknown flag is named first:
    /// System.CommandLine also reports "Required command was not provided" for
    /// `eventide --bogus`, which hides the typo.
    /// </summary>
    internal static string UsageError(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            return token.StartsWith('-')
                ? $"unknown option '{token}'"
                : $"unknown command or argument '{token}'";
        }
        var lines = parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 1 ? lines[0] : $"{lines[0]} {string.Join(", ", lines.Skip(1))}";
    }

    private static IDictionary<string, string?> Flags(ParseResult parse)
    {
        var flags = new Dictionary<string, string?>();
        if (parse.GetValue(ConnectionString) is { } cs)
        {
            flags["Eventide:Database:ConnectionString"] = cs;
        }
        if (parse.GetValue(Timescale) is { } mode)
        {
            flags["Eventide:Database:Timescale"] = mode.ToString();
        }
        return flags;
    }

    private static async Task<int> WithStorage(ParseResult parse, TextWriter stderr, Func<EventideOptions, NpgsqlDataSource, Task<int>> action)
    {
        EventideOptions options;
        try
        {
            options = EventideConfiguration.Bind(EventideConfiguration.Build(Flags(parse)));
        }
        catch (OptionsException ex)
        {
            await stderr.WriteLineAsync($"eventide: {ex.Message}");
            return ExitUsage;
        }
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(options.Database.ConnectionString);
            return await action(options, dataSource);
        }
        catch (Exception ex) when (ex is NpgsqlException or MigrationException or ArgumentException or TimeoutException)
        {
            await stderr.WriteLineAsync($"eventide: {ex.Message}");
            return ExitFailure;
        }
    }

    private static async Task<int> RunAsync(ParseResult parse, string rolesValue, string listen, bool migrate, TextWriter stderr, CancellationToken ct)
    {
        if (RoleParser.TryParse(rolesValue, out var roles) is { } roleError)
        {
            await stderr.WriteLineAsync($"eventide: {roleError}");
            return ExitUsage;
        }
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            await stderr.WriteLineAsync($"eventide: --listen '{listen}' is not an http:// address");
            return ExitUsage;
        }
        IConfigurationRoot configuration;
        EventideOptions options;
        try
        {
            configuration = EventideConfiguration.Build(Flags(parse));
            options = EventideConfiguration.Bind(configuration);
            Metrics.TelemetryOptions.Bind(configuration); // observability: a bad OTLP setting is a usage error, not a crash
        }
        catch (OptionsException ex)
        {
            await stderr.WriteLineAsync($"eventide: {ex.Message}");
            return ExitUsage;
        }

        WebApplication built;
        try
        {
            built = EventideHost.Build(options, roles, listen, configuration);
        }
        catch (Processor.Cluster.ClusterTlsException ex)
        {
            // A missing or mismatched TLS file is a configuration error: one line, exit 2.
            await stderr.WriteLineAsync($"eventide: {ex.Message}");
            return ExitUsage;
        }
        await using var app = built;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Eventide.Server");
        if (migrate && !await MigrateWithRetryAsync(app, logger, ct))
        {
            return ExitFailure;
        }
        await app.StartAsync(ct);
        Log.Started(logger, roles.ToString().ToLowerInvariant(), string.Join(", ", app.Urls));
        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>
    /// On Kubernetes the database may come up after the pods, so an unreachable
    /// database is retried; a schema conflict (wrong mode or shard count) is not.
    /// </summary>
    private static async Task<bool> MigrateWithRetryAsync(WebApplication app, ILogger logger, CancellationToken ct)
    {
        var migrator = app.Services.GetRequiredService<Migrator>();
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                var result = await migrator.MigrateAsync(ct);
                Log.StorageMode(logger, result.Mode.ToString().ToLowerInvariant(), result.Version, result.Shards);
                return true;
            }
            catch (MigrationException ex)
            {
                Log.MigrationRefused(logger, ex.Message);
                return false;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                Log.DatabaseUnavailable(logger, ex, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 10));
            }
        }
    }
}
