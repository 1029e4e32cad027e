using System.Text;
using Npgsql;

namespace Eventide.Query.Data;

/// <summary>Builds one SQL statement with positional parameters ($1, $2, …).</summary>
internal sealed class SqlBuilder
{
    public const string Origin = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    private readonly List<NpgsqlParameter> _parameters = [];

    public StringBuilder Text { get; } = new();

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
    /// A relation of (bucket, name, path, events) rows covering the range
    /// exactly: aggregate rows for whole buckets, one row per raw event (events
    /// = 1, bucket = its time) for the sub-minute edges.
    /// </summary>
    public string EventParts(string site, IReadOnlyList<RangeSegment> plan, string? name = null)
    {
        var sb = new StringBuilder("SELECT NULL::timestamptz AS bucket, NULL::text AS name, NULL::text AS path, 0::bigint AS events WHERE false");
        foreach (var segment in plan)
        {
            var (from, to) = (Param(segment.Range.From), Param(segment.Range.To));
            sb.Append("\n  UNION ALL ");
            sb.Append(segment.Source switch
            {
                RangeSource.Raw => $"SELECT time, name, path, 1::bigint FROM eventide.events WHERE site_id = {site} AND time >= {from} AND time < {to}",
                _ => $"SELECT bucket, name, path, events FROM eventide.{Relation(segment.Source)} WHERE site_id = {site} AND bucket >= {from} AND bucket < {to}",
            });
            if (name is not null)
            {
                sb.Append(" AND name = ").Append(name);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// A relation of (bucket, user_id) rows whose distinct user ids over any
    /// set of whole buckets are exact: users_1h for whole hours, raw events
    /// for the edges. With a name filter only raw events can answer (users_1h
    /// has no name).
    /// </summary>
    public string UserParts(string site, IReadOnlyList<RangeSegment> plan, string? name = null)
    {
        var sb = new StringBuilder("SELECT NULL::timestamptz AS bucket, NULL::text AS user_id WHERE false");
        foreach (var segment in plan)
        {
            var (from, to) = (Param(segment.Range.From), Param(segment.Range.To));
            sb.Append("\n  UNION ALL ");
            if (segment.Source == RangeSource.Raw)
            {
                sb.Append($"SELECT time, user_id FROM eventide.events WHERE site_id = {site} AND time >= {from} AND time < {to} AND user_id IS NOT NULL");
                if (name is not null)
                {
                    sb.Append(" AND name = ").Append(name);
                }
            }
            else if (segment.Source == RangeSource.Hour && name is null)
            {
                sb.Append($"SELECT bucket, user_id FROM eventide.users_1h WHERE site_id = {site} AND bucket >= {from} AND bucket < {to}");
            }
            else
            {
                throw new ArgumentException($"users cannot be read from {segment.Source} with name filter {name}", nameof(plan));
            }
        }
        return sb.ToString();
    }

    private static string Relation(RangeSource source) => source switch
    {
        RangeSource.Minute => "events_1m",
        RangeSource.Hour => "events_1h",
        RangeSource.Day => "events_1d",
        _ => throw new ArgumentOutOfRangeException(nameof(source)),
    };
}
