using System.Buffers;
using System.Text.Json;

namespace Eventide.Bench;

/// <summary>
/// Realistic request bodies: sites chosen Zipf-skewed, paths Zipf-skewed,
/// repeat users, a mix of event names, and a share of duplicates that resend
/// an earlier event id (as a retrying client would).
/// </summary>
public sealed class Workload(IReadOnlyList<(string Site, string WriteKey)> sites, double duplicateShare, double siteExponent = 1.1)
{
    private static readonly string[] Names = ["pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "click", "signup", "purchase"];
    private static readonly string[] Referrers = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "", "", ""];
    private readonly Zipf _siteZipf = new(sites.Count, siteExponent);
    private readonly Zipf _pathZipf = new(200, 1.2);
    private static readonly string[] Paths = [.. Enumerable.Range(0, 200).Select(i => "/p/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    private static readonly string[] Users = [.. Enumerable.Range(0, 20_000).Select(i => "u" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public (string Site, string WriteKey) PickSite(Random random) => sites[_siteZipf.Next(random)];

    /// <summary>Writes a JSON array of n events for one site; remembers ids in <paramref name="recent"/> for duplicates.</summary>
    public byte[] Batch(Random random, string site, int n, string[] recent, ref int recentCount, out int duplicates)
    {
        var buffer = new ArrayBufferWriter<byte>(n * 220);
        using var json = new Utf8JsonWriter(buffer);
        Write(json, random, site, n, recent, ref recentCount, out duplicates);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// As <see cref="Batch"/>, into a buffer and writer the caller reuses (both reset here): at one
    /// event per request the generator's allocations are a visible share of its CPU.
    /// </summary>
    public ReadOnlyMemory<byte> Batch(Random random, string site, int n, string[] recent, ref int recentCount, ArrayBufferWriter<byte> buffer, Utf8JsonWriter json)
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        Write(json, random, site, n, recent, ref recentCount, out _);
        return buffer.WrittenMemory;
    }

    private void Write(Utf8JsonWriter json, Random random, string site, int n, string[] recent, ref int recentCount, out int duplicates)
    {
        duplicates = 0;
        json.WriteStartArray();
        for (var i = 0; i < n; i++)
        {
            string id;
            if (recentCount > 0 && random.NextDouble() < duplicateShare)
            {
                id = recent[random.Next(Math.Min(recentCount, recent.Length))];
                duplicates++;
            }
            else
            {
                id = Guid.CreateVersion7().ToString();
                recent[recentCount % recent.Length] = id;
                recentCount++;
            }
            json.WriteStartObject();
            json.WriteString("site_id", site);
            json.WriteString("name", Names[random.Next(Names.Length)]);
            json.WriteString("event_id", id);
            json.WriteString("path", Paths[_pathZipf.Next(random)]);
            var referrer = Referrers[random.Next(Referrers.Length)];
            if (referrer.Length > 0)
            {
                json.WriteString("referrer", referrer);
            }
            json.WriteString("user_id", Users[random.Next(Users.Length)]);
            json.WriteStartObject("properties");
            json.WriteString("plan", random.Next(3) == 0 ? "pro" : "free");
            json.WriteNumber("value", random.Next(1000));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
    }
}
