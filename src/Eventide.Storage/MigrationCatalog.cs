using System.Globalization;
using System.Reflection;

namespace Eventide.Storage;

/// <summary>The migrations embedded in this assembly, chosen for a storage mode.</summary>
public static class MigrationCatalog
{
    private const string Prefix = "migrations/";

    public static IReadOnlyList<Migration> For(StorageMode mode)
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var wanted = mode == StorageMode.Timescale ? "timescale" : "plain";
        var result = new SortedDictionary<int, Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }
            var file = resource[Prefix.Length..^".sql".Length];
            var parts = file.Split('.');
            if (parts.Length == 2 && parts[1] != wanted)
            {
                continue;
            }
            var underscore = parts[0].IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(parts[0][..underscore], CultureInfo.InvariantCulture);
            var name = parts[0][(underscore + 1)..];
            if (!result.TryAdd(version, new Migration(version, name, Read(assembly, resource))))
            {
                throw new InvalidOperationException($"Two migrations share version {version}");
            }
        }
        return [.. result.Values];
    }

    public static int LatestVersion(StorageMode mode) => For(mode)[^1].Version;

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
