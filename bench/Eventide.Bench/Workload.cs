using System.Globalization;
using System.Text;

namespace Eventide.Bench;

/// <summary>
/// Realistic request bodies: sites chosen Zipf-skewed, paths Zipf-skewed,
/// repeat users, a mix of event names, and a share of duplicates that resend
/// an earlier event id (as a retrying client would).
/// </summary>
/// <remarks>
/// Fast path: the bodies are written as bytes from fragments encoded once (every site id, name,
/// path, referrer and user is plain ASCII that JSON needs no escaping for), with the event id
/// formatted straight into the buffer and the remembered ids kept as <see cref="Guid"/>s, so a
/// request costs no allocation. At one event per request the generator shares two cores with
/// the server it measures, and a JSON writer and an id string per event were a visible share
/// of its CPU.
/// </remarks>
public sealed class Workload
{
    private static readonly string[] Names = ["pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "pageview", "click", "signup", "purchase"];
    private static readonly string[] Referrers = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "", "", ""];
    private const int PathCount = 200;
    private const int UserCount = 20_000;

    /// <summary><c>","name":"pageview","event_id":"</c> for each entry of <see cref="Names"/>.</summary>
    private static readonly byte[][] NameFragments = [.. Names.Select(n => Ascii($"\",\"name\":\"{n}\",\"event_id\":\""))];

    /// <summary><c>","path":"/p/7</c>: the rest of the event follows the path.</summary>
    private static readonly byte[][] PathFragments = [.. Enumerable.Range(0, PathCount).Select(i => Ascii($"\",\"path\":\"/p/{i}"))];

    /// <summary><c>","referrer":"…</c>, or nothing for a direct visit.</summary>
    private static readonly byte[][] ReferrerFragments = [.. Referrers.Select(r => r.Length > 0 ? Ascii($"\",\"referrer\":\"{r}") : [])];

    /// <summary><c>","user_id":"u42","properties":{"plan":"</c>.</summary>
    private static readonly byte[][] UserFragments = [.. Enumerable.Range(0, UserCount).Select(i => Ascii($"\",\"user_id\":\"u{i}\",\"properties\":{{\"plan\":\""))];

    /// <summary>The longest event a site id of 64 characters can make, with room to spare.</summary>
    private const int MaxFixedEventBytes = 400;

    private readonly IReadOnlyList<(string Site, string WriteKey)> _sites;
    private readonly double _duplicateShare;
    private readonly Zipf _siteZipf;
    private readonly Zipf _pathZipf = new(PathCount, 1.2);

    /// <summary><c>{"site_id":"bench-000001</c> for each site, encoded when the site is first picked.</summary>
    private readonly byte[]?[] _siteFragments;

    public Workload(IReadOnlyList<(string Site, string WriteKey)> sites, double duplicateShare, double siteExponent = 1.1)
    {
        _sites = sites;
        _duplicateShare = duplicateShare;
        _siteZipf = new Zipf(sites.Count, siteExponent);
        _siteFragments = new byte[sites.Count][];
    }

    public IReadOnlyList<(string Site, string WriteKey)> Sites => _sites;

    /// <summary>The index of a site, Zipf-skewed by rank.</summary>
    public int PickSiteIndex(Random random) => _siteZipf.Next(random);

    public (string Site, string WriteKey) PickSite(Random random) => _sites[PickSiteIndex(random)];

    /// <summary>Bytes that always hold a body of <paramref name="events"/> events.</summary>
    public static int MaxBodyBytes(int events) => 2 + events * MaxFixedEventBytes;

    /// <summary>
    /// Writes a JSON array of <paramref name="n"/> events for the site at <paramref name="site"/>
    /// into <paramref name="into"/> (at least <see cref="MaxBodyBytes"/> long) and returns its
    /// length; remembers fresh ids in <paramref name="recent"/> for later duplicates.
    /// </summary>
    public int WriteBody(Span<byte> into, Random random, int site, int n, Guid[] recent, ref int recentCount)
    {
        var siteFragment = _siteFragments[site] ??= Ascii($"{{\"site_id\":\"{_sites[site].Site}");
        var at = 0;
        into[at++] = (byte)'[';
        for (var i = 0; i < n; i++)
        {
            Guid id;
            if (recentCount > 0 && random.NextDouble() < _duplicateShare)
            {
                id = recent[random.Next(Math.Min(recentCount, recent.Length))];
            }
            else
            {
                id = Guid.CreateVersion7();
                recent[recentCount % recent.Length] = id;
                recentCount++;
            }
            if (i > 0)
            {
                into[at++] = (byte)',';
            }
            at += Put(siteFragment, into[at..]);
            at += Put(NameFragments[random.Next(NameFragments.Length)], into[at..]);
            id.TryFormat(into[at..], out var written, "D");
            at += written;
            at += Put(PathFragments[_pathZipf.Next(random)], into[at..]);
            at += Put(ReferrerFragments[random.Next(ReferrerFragments.Length)], into[at..]);
            at += Put(UserFragments[random.Next(UserFragments.Length)], into[at..]);
            at += Put(random.Next(3) == 0 ? "pro\",\"value\":"u8 : "free\",\"value\":"u8, into[at..]);
            random.Next(1000).TryFormat(into[at..], out written, default, CultureInfo.InvariantCulture);
            at += written;
            at += Put("}}"u8, into[at..]);
        }
        into[at++] = (byte)']';
        return at;
    }

    /// <summary>As <see cref="WriteBody"/>, into a new array: for the gRPC rows, which convert each batch anyway.</summary>
    public byte[] Batch(Random random, string site, int n, Guid[] recent, ref int recentCount)
    {
        var index = IndexOf(site);
        var buffer = new byte[MaxBodyBytes(n)];
        var length = WriteBody(buffer, random, index, n, recent, ref recentCount);
        return buffer[..length];
    }

    private int IndexOf(string site)
    {
        for (var i = 0; i < _sites.Count; i++)
        {
            if (_sites[i].Site == site)
            {
                return i;
            }
        }
        throw new ArgumentException($"site {site} is not in the workload", nameof(site));
    }

    private static int Put(ReadOnlySpan<byte> bytes, Span<byte> into)
    {
        bytes.CopyTo(into);
        return bytes.Length;
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
}
