using KC.Api.FunctionalTests.Infrastructure;
using Microsoft.Playwright;

namespace KC.Api.FunctionalTests.Browser;

/// <summary>The API reference at <c>/docs</c>, loaded in a real browser with the rest of the world out of reach.</summary>
[NonParallelizable]
public sealed class DocsPageTests : ServiceTestBase
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task LaunchAsync() => (_playwright, _browser) = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Test]
    public async Task Docs_WhenLoadedWithOnlyLoopbackReachable_RendersWithoutARequestLeavingTheMachine()
    {
        var page = await _browser.NewPageAsync();
        var leaving = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            var host = new Uri(route.Request.Url).Host;
            if (host is "127.0.0.1" or "localhost" or "[::1]")
            {
                await route.ContinueAsync();
            }
            else
            {
                leaving.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        await page.GotoAsync(new Uri(Client.BaseAddress!, "/docs").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await page.GetByText("Submit a job").First.WaitForAsync();
        var text = await page.InnerTextAsync("body");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", "docs.png"), FullPage = false });

        Assert.Multiple(() =>
        {
            Assert.That(leaving, Is.Empty, "requests that would have left the machine");
            Assert.That(text, Does.Not.Contain("Generate SDK").And.Not.Contain("Ask AI").And.Not.Contain("Deploy"));
        });
    }

    [Test]
    public async Task Docs_Sidebar_ListsEachOperationByItsShortSummary()
    {
        var page = await _browser.NewPageAsync();

        await page.GotoAsync(new Uri(Client.BaseAddress!, "/docs").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await page.GetByText("Submit a job").First.WaitForAsync();

        var entries = await page.Locator("nav, aside").AllInnerTextsAsync();
        var lines = entries.SelectMany(e => e.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        // The Jobs group is open; each entry is its operation's short summary, the long text is the description.
        string[] otherGroups = ["Nodes", "Stores", "Visits"];
        var jobs = lines.SkipWhile(l => l != "Close Group - Jobs").Skip(1)
            .TakeWhile(l => !l.StartsWith("Open Group", StringComparison.Ordinal) && !otherGroups.Contains(l))
            .Where(l => l is not ("HTTP METHOD:" or "GET" or "POST") && !l.StartsWith("Close Group", StringComparison.Ordinal)).ToList();
        Assert.That(jobs, Is.EqualTo(new[] { "Submit a job", "Get a job's status", "Cancel a job", "Retry a failed job", "Get a job's results", "List jobs", "Export results as CSV" }));
    }
}
