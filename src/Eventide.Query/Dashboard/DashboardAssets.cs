using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace Eventide.Query.Dashboard;

/// <summary>
/// The dashboard's built files (Dashboard/web/dist), embedded in this assembly by the
/// project's DashboardEmbed target under <see cref="ResourcePrefix"/>. Read into memory
/// once: they are small (well under 100 kB) and served with strong ETags.
/// </summary>
internal sealed class DashboardAssets
{
    public const string ResourcePrefix = "EventideDashboard/";

    private readonly FrozenDictionary<string, DashboardAsset> _files;

    private DashboardAssets(FrozenDictionary<string, DashboardAsset> files) => _files = files;

    /// <summary>index.html, or null when the assembly was built without the dashboard.</summary>
    public DashboardAsset? Index => _files.GetValueOrDefault("index.html");

    public static DashboardAssets Load(Assembly assembly)
    {
        var types = new FileExtensionContentTypeProvider();
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var type = types.TryGetContentType(path, out var t) ? t : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "text/javascript")
            {
                type += "; charset=utf-8";
            }
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"";
            files[path] = new DashboardAsset(path, content, type, etag);
        }
        return new DashboardAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>A file under assets/ (the hashed bundle Vite writes).</summary>
    public DashboardAsset? Asset(string file) =>
        file.Contains("..", StringComparison.Ordinal) ? null : _files.GetValueOrDefault("assets/" + file);
}
