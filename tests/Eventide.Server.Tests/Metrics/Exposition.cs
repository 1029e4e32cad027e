using System.Globalization;
using System.Text;

namespace Eventide.Server.Tests.Metrics;

/// <summary>
/// A deliberately separate, strict reader of the text format for assertions:
/// samples with their labels, and the declared type of each family.
/// </summary>
public sealed class Exposition
{
    private Exposition(List<Sample> samples, Dictionary<string, string> types, Dictionary<string, string> help)
    {
        Samples = samples;
        Types = types;
        Help = help;
    }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Family name → counter|gauge|histogram from the # TYPE lines.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyDictionary<string, string> Help { get; }

    /// <summary>Every name a PromQL query could select: family names, sample names and a histogram's _bucket/_sum/_count.</summary>
    public ISet<string> SelectableNames()
    {
        var names = new HashSet<string>(Samples.Select(s => s.Name), StringComparer.Ordinal);
        foreach (var (name, type) in Types)
        {
            names.Add(name);
            if (type == "histogram")
            {
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
            }
        }
        return names;
    }

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The value of the one sample with this name whose labels include the given ones.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Named(name).Where(s => labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new InvalidOperationException($"{matches.Count} samples of {name} match {string.Join(",", labels)}");
    }

    public static Exposition Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types.Add(parts[2], parts[3]);
                continue;
            }
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                help.Add(rest[..space], rest[(space + 1)..]);
                continue;
            }
            samples.Add(ParseSample(line));
        }
        return new Exposition(samples, types, help);
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq];
                i = eq + 2; // past ="
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', var c => c });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                labels.Add(key, value.ToString());
                i++; // past "
                if (line[i] == ',')
                {
                    i++;
                }
            }
            i++;
        }
        var text = line[(i + 1)..];
        var number = text switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, number);
    }
}

public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
