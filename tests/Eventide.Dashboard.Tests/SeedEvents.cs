using System.Globalization;
using System.Text.Json.Nodes;

namespace Eventide.Dashboard.Tests;

/// <summary>
/// A deterministic week of a small site's traffic: pageviews on a few paths from a few
/// referrers, countries and devices, and signup/purchase journeys a funnel can follow.
/// </summary>
public static class SeedEvents
{
    private static readonly string[] Paths = ["/", "/pricing", "/docs", "/blog/launch"];
    private static readonly string?[] Referrers = [null, null, "https://www.google.com/", "https://news.ycombinator.com/"];
    private static readonly string?[] Countries = ["DE", "US", "US", "FR", null];
    private static readonly string[] Devices = ["desktop", "desktop", "mobile", "tablet"];

    public static List<JsonObject> Generate(string site, DateTimeOffset now, int journeys, int seed)
    {
        var rng = new Random(seed);
        var events = new List<JsonObject>();
        for (var j = 0; j < journeys; j++)
        {
            // A quarter in the last hour, so every range has data, the rest over six days; each
            // journey (at most 1,100 s long) ends in the past.
            var ageSeconds = j % 4 == 0 ? rng.Next(1_200, 3_300) : rng.Next(3_600, 6 * 86_400);
            var time = now.AddSeconds(-ageSeconds);
            var user = $"u{rng.Next(1, 80)}";
            var country = Countries[rng.Next(Countries.Length)];
            var device = Devices[rng.Next(Devices.Length)];
            var path = Paths[rng.Next(Paths.Length)];
            events.Add(Event(site, "pageview", time, path, Referrers[rng.Next(Referrers.Length)], user, country, device));
            if (path == "/pricing" && rng.Next(3) > 0)
            {
                events.Add(Event(site, "signup", time.AddSeconds(rng.Next(5, 600)), "/signup", null, user, country, device));
                if (rng.Next(2) == 0)
                {
                    events.Add(Event(site, "purchase", time.AddSeconds(rng.Next(700, 1_100)), "/checkout", null, user, country, device));
                }
            }
        }
        return events;
    }

    public static JsonObject Event(string site, string name, DateTimeOffset time, string? path, string? referrer, string? user, string? country, string device)
    {
        var properties = new JsonObject { ["device"] = device };
        if (country is not null)
        {
            properties["country"] = country;
        }
        var e = new JsonObject
        {
            ["site_id"] = site,
            ["event_id"] = Guid.NewGuid().ToString(),
            ["name"] = name,
            ["timestamp"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["path"] = path,
            ["referrer"] = referrer,
            ["user_id"] = user,
            ["properties"] = properties,
        };
        foreach (var key in e.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            e.Remove(key);
        }
        return e;
    }
}
