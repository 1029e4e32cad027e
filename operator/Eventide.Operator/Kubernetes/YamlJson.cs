using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Eventide.Operator.Kubernetes;

/// <summary>
/// Converts between YAML documents and JSON nodes. Kubernetes objects are JSON
/// with YAML as a spelling of it, so the operator works on JSON and only reads
/// and writes YAML at the edges (files, the CLI).
/// </summary>
public static class YamlJson
{
    /// <summary>Parses every document of a YAML stream; empty documents are skipped.</summary>
    public static IReadOnlyList<JsonNode> ParseAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var result = new List<JsonNode>();
        foreach (var doc in stream.Documents)
        {
            if (ToJson(doc.RootNode) is { } node)
            {
                result.Add(node);
            }
        }
        return result;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => ToObject(map),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => ToScalar(scalar),
        _ => throw new FormatException($"Unsupported YAML node at {node.Start}."),
    };

    private static JsonObject ToObject(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            obj[name] = ToJson(value);
        }
        return obj;
    }

    // YAML 1.2 core schema: only plain scalars resolve to null, booleans and numbers.
    private static JsonNode? ToScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        if (LooksNumeric(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(text);
    }

    private static bool LooksNumeric(string text) =>
        text.Length > 0 && (char.IsDigit(text[0]) || ((text[0] is '-' or '+' or '.') && text.Length > 1 && (char.IsDigit(text[1]) || text[1] == '.')));

    /// <summary>Writes nodes as a multi-document YAML stream, every document started by <c>---</c>.</summary>
    public static string Write(IEnumerable<JsonNode> documents)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, true, false, "\n"));
        emitter.Emit(new StreamStart());
        foreach (var doc in documents)
        {
            emitter.Emit(new DocumentStart(null, null, false));
            Emit(emitter, doc);
            emitter.Emit(new DocumentEnd(true));
        }
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(PlainOrQuoted(key));
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray arr:
                emitter.Emit(new SequenceStart(null, null, true, arr.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in arr)
                {
                    Emit(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        emitter.Emit(PlainOrQuoted(value.GetValue<string>()));
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                    case JsonValueKind.Number:
                        emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                    default:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    // A string that would read back as something else (a number, a boolean, null) is quoted.
    private static Scalar PlainOrQuoted(string text)
    {
        var plain = new YamlScalarNode(text) { Style = ScalarStyle.Plain };
        var readsBackAsString = ToScalar(plain) is JsonValue v && v.GetValueKind() == JsonValueKind.String;
        var style = readsBackAsString && !NeedsQuoting(text) ? ScalarStyle.Any : ScalarStyle.DoubleQuoted;
        if (text.Contains('\n', StringComparison.Ordinal))
        {
            style = ScalarStyle.Literal;
        }
        return new Scalar(null, null, text, style, true, true);
    }

    private static bool NeedsQuoting(string text) =>
        text.Length == 0 || text is "y" or "Y" or "n" or "N" or "yes" or "no" or "on" or "off" or "Yes" or "No" or "On" or "Off";
}
