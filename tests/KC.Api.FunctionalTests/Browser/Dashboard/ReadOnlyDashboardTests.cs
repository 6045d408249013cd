using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using Microsoft.Playwright;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Browser.Dashboard;

/// <summary><c>Dashboard:ReadOnly</c>: every page shows, no action is offered, and one sent anyway is refused.</summary>
public sealed class ReadOnlyDashboardTests : DashboardBrowser
{
    protected override IReadOnlyDictionary<string, string?> DashboardSettings => new Dictionary<string, string?>
    {
        ["Dashboard:ReadOnly"] = "true",
    };

    [Test]
    public async Task JobPage_WhenTheDashboardIsReadOnly_OffersNoActionAndRefusesOneSentAnyway()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/71x30.png"))));
        var page = await NewPageAsync();

        await OpenAsync(page, $"/dashboard/jobs/{jobId}");
        var buttons = await page.GetByRole(AriaRole.Button).AllInnerTextsAsync();
        var banner = await page.Locator(".banner").InnerTextAsync();
        await ScreenshotAsync(page, "read-only");
        await AssertAccessibleAsync(page);
        var refused = await page.Context.APIRequest.PostAsync($"/dashboard/jobs/{jobId}/cancel");
        var refusal = await refused.TextAsync();
        var listButtons = await ButtonsOfAsync(page, "/dashboard/jobs");

        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        Assert.Multiple(() =>
        {
            Assert.That(buttons, Is.Empty);
            Assert.That(listButtons, Is.EqualTo(new[] { "Filter" }));
            Assert.That(banner, Does.Contain("Read-only"));
            Assert.That(refused.Status, Is.EqualTo((int)HttpStatusCode.Forbidden));
            Assert.That(refusal, Does.Contain("This dashboard is read-only (Dashboard:ReadOnly)"));
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("ongoing"), "the refused cancel changed nothing");
        });
    }

    private static async Task<IReadOnlyList<string>> ButtonsOfAsync(IPage page, string path)
    {
        await OpenAsync(page, path);
        return await page.GetByRole(AriaRole.Button).AllInnerTextsAsync();
    }
}
