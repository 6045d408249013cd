using Deque.AxeCore.Playwright;
using KC.Api.FunctionalTests.Infrastructure;
using Microsoft.Playwright;

namespace KC.Api.FunctionalTests.Browser.Dashboard;

/// <summary>
/// One running service, one image server and one headless Chromium per test class, and what every
/// dashboard test does with them: open a page, check it with axe, save a screenshot of it.
/// </summary>
[NonParallelizable]
public abstract class DashboardBrowser : ServiceTestBase
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>Where the screenshots go: <c>screenshots/</c> under the test output.</summary>
    public static string ScreenshotFolder => Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");

    /// <summary>The test service's settings: the pages refresh every second, so a test sees a change soon.</summary>
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(DashboardSettings)
    {
        ["Dashboard:RefreshSeconds"] = "1",
    };

    /// <summary>Settings of the class's own, over the dashboard tests' defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?> DashboardSettings => new Dictionary<string, string?>();

    [OneTimeSetUp]
    public async Task LaunchAsync() => (_playwright, _browser) = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }

        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A page in a browser context of its own (its own cookies), on the test service.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Client.BaseAddress!.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    protected static async Task<IResponse> OpenAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.That(response, Is.Not.Null, path);
        return response!;
    }

    protected static Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"dashboard-{name}.png"), FullPage = true });
    }

    /// <summary>Runs axe on the page as it stands and fails the test with every violation it finds.</summary>
    protected static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var violations = result.Violations
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.That(violations, Is.Empty, $"accessibility of {page.Url}");
    }

    /// <summary>Waits until the page's own script has refreshed <paramref name="selector"/> to show <paramref name="text"/>.</summary>
    protected static Task WaitForTextAsync(IPage page, string selector, string text, int timeoutMs = 30_000) =>
        page.Locator(selector, new PageLocatorOptions { HasTextString = text }).First.WaitForAsync(new LocatorWaitForOptions { Timeout = timeoutMs });
}
