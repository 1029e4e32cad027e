using System.Buffers;
using System.Text.Json;

namespace Eventide.Bench;

/// <summary>
/// Realistic request bodies: sites chosen Zipf-skewed, paths Zipf-skewed,
/// repeat users, a mix of event names, and a share of duplicates that resend
/// an earlier event id (as a retrying client would).
/// </summary>
public sealed class Workload(IReadOnlyList<(string Site, string WriteKey)> sites, double duplicateShare)
{
    private static readonly string[] Names = ["pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "click", "signup", "purchase"];
    private static readonly string[] Referrers = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "", "", ""];
    private readonly Zipf _siteZipf = new(sites.Count, 1.1);
    private readonly Zipf _pathZipf = new(200, 1.2);

    public (string Site, string WriteKey) PickSite(Random random) => sites[_siteZipf.Next(random)];

    /// <summary>Writes a JSON array of n events for one site; remembers ids in <paramref name="recent"/> for duplicates.</summary>
    public byte[] Batch(Random random, string site, int n, string[] recent, ref int recentCount, out int duplicates)
    {
        var buffer = new ArrayBufferWriter<byte>(n * 220);
        using var json = new Utf8JsonWriter(buffer);
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
            json.WriteString("path", "/p/" + _pathZipf.Next(random).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var referrer = Referrers[random.Next(Referrers.Length)];
            if (referrer.Length > 0)
            {
                json.WriteString("referrer", referrer);
            }
            json.WriteString("user_id", "u" + random.Next(20_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartObject("properties");
            json.WriteString("plan", random.Next(3) == 0 ? "pro" : "free");
            json.WriteNumber("value", random.Next(1000));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
