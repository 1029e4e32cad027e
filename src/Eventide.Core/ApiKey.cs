using System.Security.Cryptography;
using System.Text;

namespace Eventide.Core;

/// <summary>
/// API keys: 32 random bytes, base64url, with a prefix that names the kind
/// (<c>evw_</c> write, <c>evr_</c> read). Only the SHA-256 hash is stored; a
/// key of 256 random bits needs no slow hash.
/// </summary>
public static class ApiKey
{
    public const string WritePrefix = "evw_";
    public const string ReadPrefix = "evr_";

    public static string Generate(ApiKeyKind kind)
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var body = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (kind == ApiKeyKind.Write ? WritePrefix : ReadPrefix) + body;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The first characters of a key, safe to show and log.</summary>
    public static string DisplayPrefix(string key) => key.Length <= 10 ? key : key[..10];
}
