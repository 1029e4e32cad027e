using System.Text;
using Npgsql;

namespace Eventide.Storage.Analytics;

/// <summary>Builds one SQL statement with positional parameters ($1, $2, …).</summary>
internal sealed class SqlBuilder
{
    public const string Origin = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    /// <summary>Turns JIT off until the end of the current (implicit) transaction.</summary>
    public const string WithoutJitSql = "SELECT set_config('jit', 'off', true)";

    private readonly List<NpgsqlParameter> _parameters = [];

    public StringBuilder Text { get; } = new();

    /// <summary>
    /// Plain mode with a plan already kept off the dirty hours (<see cref="RangePlan.Excluding"/>):
    /// aggregate pieces read the materialized tables themselves, every row of which is exact for
    /// a clean bucket, rather than the views that test each row against aggregate_dirty.
    /// </summary>
    public bool ReadsMaterialized { get; init; }

    /// <summary>Adds a parameter and returns its placeholder.</summary>
    public string Param(object value)
    {
        _parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public SqlBuilder Append(string sql)
    {
        Text.Append(sql);
        return this;
    }

    public NpgsqlCommand ToCommand(NpgsqlDataSource dataSource)
    {
        var cmd = dataSource.CreateCommand(Text.ToString());
        cmd.Parameters.AddRange(_parameters.ToArray());
        return cmd;
    }

    /// <summary>
    /// The statement behind <c>set_config('jit', 'off', true)</c> in one batch, for statements
    /// that scan raw events. JIT compiles each expression once per partition and per parallel
    /// worker: for a 30-day scan of 30 daily partitions that is hundreds of functions, and once
    /// the plan's cost passes jit_optimize_above_cost (a few million events) LLVM's
    /// optimization alone takes seconds, more than JIT ever saves on these scans (see
    /// docs/query.md, "Speed"). A batch runs in one implicit transaction and the statement is
    /// planned at its Bind, after the setting ran, so the setting covers exactly this
    /// statement and ends with it: the pooled connection keeps the server's default. The
    /// reader's first result is the setting's row; the statement's rows follow it.
    /// </summary>
    public NpgsqlBatch ToBatchWithoutJit(NpgsqlDataSource dataSource)
    {
        var batch = ToBatch(dataSource);
        batch.BatchCommands.Insert(0, new NpgsqlBatchCommand(WithoutJitSql));
        return batch;
    }

    /// <summary>The statement as one command of a caller's batch.</summary>
    public NpgsqlBatchCommand ToBatchCommand()
    {
        var statement = new NpgsqlBatchCommand(Text.ToString());
        statement.Parameters.AddRange(_parameters.ToArray());
        return statement;
    }

    /// <summary>The statement as a batch of one.</summary>
    public NpgsqlBatch ToBatch(NpgsqlDataSource dataSource)
    {
        var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(ToBatchCommand());
        return batch;
    }

    /// <summary>
    /// The filter as SQL conditions (each starting with " AND "): for aggregate rows only name
    /// and path (the aggregates have no properties), for raw events all of it. Parameters are
    /// added once and reused by every segment.
    /// </summary>
    public (string Aggregate, string Raw) Conditions(QueryFilter where)
    {
        var aggregate = new StringBuilder();
        if (where.Name is not null)
        {
            aggregate.Append(" AND name = ").Append(Param(where.Name));
        }
        if (where.Path is not null)
        {
            aggregate.Append(" AND path = ").Append(Param(where.Path));
        }
        var raw = new StringBuilder(aggregate.ToString());
        foreach (var (key, value) in where.Properties)
        {
            raw.Append(" AND properties->>").Append(Param(key)).Append(" = ").Append(Param(value));
        }
        return (aggregate.ToString(), raw.ToString());
    }

    /// <summary>
    /// A relation of (bucket, name, path, events) rows covering the range
    /// exactly: aggregate rows for whole buckets, one row per raw event (events
    /// = 1, bucket = its time) for the sub-minute edges. A filter on
    /// properties must be read from raw events: give a raw-only plan then.
    /// </summary>
    public string EventParts(string site, IReadOnlyList<RangeSegment> plan, QueryFilter where)
    {
        var (aggregate, raw) = Conditions(where);
        var sb = new StringBuilder("SELECT NULL::timestamptz AS bucket, NULL::text AS name, NULL::text AS path, 0::bigint AS events WHERE false");
        foreach (var segment in plan)
        {
            var (from, to) = (Param(segment.Range.From), Param(segment.Range.To));
            sb.Append("\n  UNION ALL ");
            if (segment.Source == RangeSource.Raw)
            {
                sb.Append($"SELECT time, name, path, 1::bigint FROM eventide.events WHERE site_id = {site} AND time >= {from} AND time < {to}{raw}");
            }
            else if (!where.HasProperties)
            {
                sb.Append($"SELECT bucket, name, path, events FROM eventide.{Relation(segment.Source)} WHERE site_id = {site} AND bucket >= {from} AND bucket < {to}{aggregate}");
            }
            else
            {
                throw new ArgumentException("property filters need a raw plan", nameof(plan));
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// A relation of (bucket, user_id) rows whose distinct user ids over any
    /// set of whole buckets are exact: users_1d for whole days, users_1h for
    /// whole hours, raw events for the edges. With any filter only raw events
    /// can answer (the user aggregates have neither name nor path nor properties).
    /// </summary>
    public string UserParts(string site, IReadOnlyList<RangeSegment> plan, QueryFilter where)
    {
        var (_, raw) = Conditions(where);
        var sb = new StringBuilder("SELECT NULL::timestamptz AS bucket, NULL::text AS user_id WHERE false");
        foreach (var segment in plan)
        {
            var (from, to) = (Param(segment.Range.From), Param(segment.Range.To));
            sb.Append("\n  UNION ALL ");
            if (segment.Source == RangeSource.Raw)
            {
                sb.Append($"SELECT time, user_id FROM eventide.events WHERE site_id = {site} AND time >= {from} AND time < {to} AND user_id IS NOT NULL{raw}");
            }
            else if (segment.Source is RangeSource.Hour or RangeSource.Day && where.IsEmpty)
            {
                sb.Append($"SELECT bucket, user_id FROM eventide.{UserRelation(segment.Source)} WHERE site_id = {site} AND bucket >= {from} AND bucket < {to}");
            }
            else
            {
                throw new ArgumentException($"users cannot be read from {segment.Source} with a filter", nameof(plan));
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Distinct users per timeseries bucket of width <paramref name="width"/> (a placeholder) as
    /// (b, u) rows, over a user plan without filters. A piece read from the aggregate of the
    /// points' own level has one row per (bucket, user) and every row in its own point, so its
    /// points are a count(*) per bucket, no DISTINCT; the rest (edge pieces finer than the
    /// points) goes through DISTINCT as before. No point takes rows from both: pieces tile the
    /// range, and a piece of the points' level covers whole points.
    /// </summary>
    public string UserCounts(string site, IReadOnlyList<RangeSegment> plan, QueryFilter where, Granularity level, string width)
    {
        var whole = level switch
        {
            Granularity.Day => RangeSource.Day,
            Granularity.Hour => RangeSource.Hour,
            _ => (RangeSource?)null,
        };
        var sb = new StringBuilder("SELECT NULL::timestamptz AS b, 0::bigint AS u WHERE false");
        foreach (var segment in plan.Where(p => p.Source == whole))
        {
            var (from, to) = (Param(segment.Range.From), Param(segment.Range.To));
            sb.Append($"\n  UNION ALL SELECT bucket, count(*) FROM eventide.{UserRelation(segment.Source)} WHERE site_id = {site} AND bucket >= {from} AND bucket < {to} GROUP BY bucket");
        }
        var rest = plan.Where(p => p.Source != whole).ToList();
        if (rest.Count > 0)
        {
            var users = UserParts(site, rest, where);
            sb.Append($"\n  UNION ALL SELECT b, count(*) FROM (SELECT DISTINCT date_bin({width}, bucket, {Origin}) AS b, user_id FROM ({users}) r) u GROUP BY b");
        }
        return sb.ToString();
    }

    private string Relation(RangeSource source) => (source, ReadsMaterialized) switch
    {
        (RangeSource.Minute, false) => "events_1m",
        (RangeSource.Hour, false) => "events_1h",
        (RangeSource.Day, false) => "events_1d",
        (RangeSource.Minute, true) => "events_1m_mat",
        (RangeSource.Hour, true) => "events_1h_mat",
        (RangeSource.Day, true) => "events_1d_mat",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };

    private string UserRelation(RangeSource source) => (source, ReadsMaterialized) switch
    {
        (RangeSource.Hour, false) => "users_1h",
        (RangeSource.Day, false) => "users_1d",
        (RangeSource.Hour, true) => "users_1h_mat",
        (RangeSource.Day, true) => "users_1d_mat",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };
}
