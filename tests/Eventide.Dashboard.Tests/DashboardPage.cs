using System.Globalization;
using Microsoft.Playwright;

namespace Eventide.Dashboard.Tests;

/// <summary>A browser tab on /dashboard that records console errors and the API requests the page made.</summary>
public sealed class DashboardPage : IAsyncDisposable
{
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<IRequest> _requests = [];

    private DashboardPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add(m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (_errors)
            {
                _errors.Add(e);
            }
        };
        page.Request += (_, r) =>
        {
            lock (_requests)
            {
                _requests.Add(r);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public IReadOnlyList<IRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<DashboardPage> OpenAsync(DashboardFixture fixture, int width = DesktopWidth, int height = 900, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(context, page);
        await page.GotoAsync("/dashboard");
        return dashboard;
    }

    /// <summary>Pastes the key into the form, submits it and waits for the first complete load.</summary>
    public async Task SignInAsync(string key)
    {
        await Page.GetByLabel("Read key or admin token").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Open dashboard" }).ClickAsync();
        await WaitReadyAsync();
    }

    public Task WaitReadyAsync() =>
        Page.Locator("body[data-state='ready']").WaitForAsync(new() { Timeout = 30_000 });

    /// <summary>The last request the page made to the site's endpoint (summary, timeseries, breakdown?by=…).</summary>
    public Uri LastRequest(string site, string endpoint, string? by = null)
    {
        var prefix = $"/v1/sites/{site}/{endpoint}";
        var match = Requests.Select(r => new Uri(r.Url)).LastOrDefault(u => u.AbsolutePath == prefix
            && (by is null || u.Query.Contains("by=" + Uri.EscapeDataString(by), StringComparison.Ordinal)));
        return match ?? throw new InvalidOperationException($"the page made no request to {prefix} {by}; it made: {string.Join(", ", Requests.Select(r => r.Url))}");
    }

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardFixture.Artifacts, name), FullPage = true });

    public static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
