using System.Text;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;
using Microsoft.Playwright;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Browser.Dashboard;

/// <summary>
/// The dashboard in a real browser against the running service: jobs submitted through the API,
/// then followed, found, retried, cancelled and imported through the pages, each page checked
/// with axe and photographed.
/// </summary>
public sealed class DashboardTests : DashboardBrowser
{
    [Test]
    public async Task JobPage_WhileTheJobRuns_ShowsItsProgressBarReachingOneHundredPercent()
    {
        var images = Enumerable.Range(1, 6).Select(i => Images.Url($"/slow/{1500 * i}/{50 + i}x30.png")).ToArray();
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, images)));
        var page = await NewPageAsync();

        await OpenAsync(page, $"/dashboard/jobs/{jobId}");
        var first = await page.Locator("#job-progress").GetAttributeAsync("value");
        await ScreenshotAsync(page, "job-running");
        await AssertAccessibleAsync(page);
        await Assertions.Expect(page.Locator("#job-progress")).ToHaveAttributeAsync("value", "100", new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });

        await WaitForTextAsync(page, "[data-figure=status]", "completed");
        var status = await page.Locator("[data-figure=status]").InnerTextAsync();
        Assert.That(int.Parse(first!, System.Globalization.CultureInfo.InvariantCulture), Is.LessThan(100), "it was still running when the page opened");
        Assert.That(status, Is.EqualTo("completed"));
        Assert.That(await page.Locator("table.images tbody tr").CountAsync(), Is.EqualTo(6));
    }

    [Test]
    public async Task Jobs_WhenFilteredByStoreId_FindTheFailedJobWhoseRetryCompletesOnceTheImageServerIsFixed()
    {
        var broken = Images.Url("/files/dashboard-broken.png");
        await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/60x30.png"))));
        var failedJob = await SubmitAsync(Client, Submission(Visit(OtherKnownStore, Images.Url("/img/61x30.png"), broken)));
        await WaitUntilSettledAsync(Client, failedJob);
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/jobs");
        await page.Locator("#store").FillAsync(OtherKnownStore);
        await page.Locator("#status").SelectOptionAsync("failed");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Filter", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/dashboard/jobs?status=failed&store=*");
        var rows = await page.Locator("table.jobs tbody tr").AllAsync();
        var filteredAt = page.Url;
        await ScreenshotAsync(page, "jobs-filtered");
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = failedJob.ToString(System.Globalization.CultureInfo.InvariantCulture), Exact = true }).ClickAsync();
        var failing = await page.Locator("table.failing tbody").InnerTextAsync();
        await ScreenshotAsync(page, "job");
        await AssertAccessibleAsync(page);
        Images.AddFile("dashboard-broken.png", TestImages.Png(62, 30), "image/png");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Retry failed images" }).ClickAsync();
        await WaitForTextAsync(page, "[data-figure=status]", "completed");

        var status = await Client.GetJsonAsync($"/api/status?jobid={failedJob}");
        Assert.Multiple(() =>
        {
            Assert.That(filteredAt, Does.Contain($"store={OtherKnownStore}"), "the filter is in the URL");
            Assert.That(rows, Has.Count.EqualTo(1));
            Assert.That(failing, Does.Contain(OtherKnownStore).And.Contain($"{broken}: HTTP 404"));
            Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        });
        Assert.That(await page.Locator("table.failing").CountAsync(), Is.Zero, "no failing store is left");
    }

    [Test]
    public async Task JobPage_WhenCancelIsPressed_CancelsTheRunningJob()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/63x30.png"), Images.Url("/slow/60000/64x30.png"))));
        var page = await NewPageAsync();

        await OpenAsync(page, $"/dashboard/jobs/{jobId}");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel" }).ClickAsync();
        await WaitForTextAsync(page, "[role=status]", $"Job {jobId} cancelled.");

        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("cancelled"));
        Assert.That(await page.Locator("[data-figure=status]").InnerTextAsync(), Is.EqualTo("cancelled"));
        Assert.That(await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel" }).CountAsync(), Is.Zero, "a cancelled job offers no cancel");
    }

    [Test]
    public async Task Jobs_WhenTwoAreSelectedAndBulkCancelled_CancelBothAfterTheCountIsConfirmed()
    {
        var first = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/65x30.png"))));
        var second = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/66x30.png"))));
        var untouched = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/67x30.png"))));
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/jobs?status=ongoing");
        await page.Locator($"input[name=ids][value='{first}']").CheckAsync();
        await page.Locator($"input[name=ids][value='{second}']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel selected" }).ClickAsync();
        var question = await page.Locator("h1").InnerTextAsync();
        await ScreenshotAsync(page, "bulk-confirm");
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Cancel 2 jobs" }).ClickAsync();
        var answer = await page.Locator("h1").InnerTextAsync();

        var statuses = new List<string>();
        foreach (var id in new[] { first, second, untouched })
        {
            statuses.Add((await Client.GetJsonAsync($"/api/status?jobid={id}"))["status"]!.GetValue<string>());
        }

        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{untouched}/cancel", UriKind.Relative), null);
        Assert.That(question, Is.EqualTo("Cancel 2 jobs?"));
        Assert.That(answer, Is.EqualTo("2 jobs cancelled"));
        Assert.That(statuses, Is.EqualTo(new[] { "cancelled", "cancelled", "ongoing" }));
    }

    [Test]
    public async Task Stores_WhenAMasterIsUploaded_ShowTheImportReportAsATable()
    {
        var csv = "AreaCode,StoreName,StoreID\n560001,\"DASHBOARD STORE, MAIN ROAD\",DASH-1\n560002,SECOND DASHBOARD STORE,DASH-2\n560003,,DASH-3\n";
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/stores");
        await ScreenshotAsync(page, "stores");
        await AssertAccessibleAsync(page);
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "master.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Import" }).ClickAsync();
        var inserted = await page.Locator("[data-figure=inserted]").InnerTextAsync();
        var rejected = await page.Locator("table.rejected tbody").InnerTextAsync();
        await ScreenshotAsync(page, "stores-imported");
        await AssertAccessibleAsync(page);
        await OpenAsync(page, "/dashboard/stores?q=dashboard");
        var found = await page.Locator("table tbody").InnerTextAsync();

        Assert.That(inserted, Is.EqualTo("2"));
        Assert.That(rejected, Does.StartWith("4"), "the row without a name, by its line");
        Assert.That(found, Does.Contain("DASHBOARD STORE, MAIN ROAD").And.Contain("DASH-2"));
    }

    [Test]
    public async Task Pages_EachOfThem_PassTheAccessibilityCheck()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/68x30.png")), Visit("NOT-A-STORE", Images.Url("/img/69x30.png"))));
        await WaitUntilSettledAsync(Client, jobId);
        var page = await NewPageAsync();

        foreach (var (path, name) in new[] { ("/dashboard", "overview"), ("/dashboard/jobs", "jobs"), ($"/dashboard/jobs/{jobId}", "job-failed"), ($"/dashboard/stores/{KnownStore}", "store"), ("/dashboard/nodes", "nodes"), ("/dashboard/submit", "submit") })
        {
            var response = await OpenAsync(page, path);
            Assert.That(response.Status, Is.EqualTo(200), path);
            await ScreenshotAsync(page, name);
            await AssertAccessibleAsync(page);
        }
    }

    [Test]
    public async Task Submit_WhenTheJsonIsRefused_ShowsTheErrorTheApiGives()
    {
        const string body = """{"count": 2, "visits": [{"store_id": "S00339218", "image_url": ["ftp://example.com/a.jpg"], "visit_time": "2025-03-11T12:00:00Z"}]}""";
        using var api = await Client.PostAsync(new Uri("/api/submit", UriKind.Relative), Json.Body(body));
        var apiError = (await Json.ReadAsync(api))["error"]!.GetValue<string>();
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/submit");
        await page.Locator("#job").FillAsync(body);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Submit" }).ClickAsync();
        var errors = await page.Locator("ul.errors").InnerTextAsync();
        await ScreenshotAsync(page, "submit-refused");
        await AssertAccessibleAsync(page);
        const string broken = """{"count": 1, "visits": [}""";
        using var apiBroken = await Client.PostAsync(new Uri("/api/submit", UriKind.Relative), Json.Body(broken));
        var apiBrokenError = (await Json.ReadAsync(apiBroken))["error"]!.GetValue<string>();
        await page.Locator("#job").FillAsync(broken);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Submit" }).ClickAsync();
        var notJson = await page.Locator("ul.errors").InnerTextAsync();

        Assert.That(errors, Does.Contain(apiError));
        Assert.That(notJson, Is.EqualTo(apiBrokenError));
    }

    [Test]
    public async Task Submit_WhenTheJsonIsValid_OpensTheNewJobsPage()
    {
        var body = Submission(Visit(KnownStore, Images.Url("/img/70x30.png"))).ToJsonString();
        var page = await NewPageAsync();

        await OpenAsync(page, "/dashboard/submit");
        await page.Locator("#job").FillAsync(body);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Submit" }).ClickAsync();
        await page.WaitForURLAsync("**/dashboard/jobs/*");

        var jobId = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var settled = await WaitUntilSettledAsync(Client, jobId);
        Assert.That(await page.Locator("[role=status]").InnerTextAsync(), Is.EqualTo($"Job {jobId} submitted."));
        Assert.That(settled["status"]!.GetValue<string>(), Is.EqualTo("completed"));
    }

    [Test]
    public async Task Root_WhenOpened_RedirectsToTheOverviewWhichLoadsNothingFromElsewhere()
    {
        var page = await NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Client.BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };

        await OpenAsync(page, "/");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/dashboard"));
        Assert.That(await page.Locator("h1").InnerTextAsync(), Is.EqualTo("Overview"));
        Assert.That(elsewhere, Is.Empty);
    }
}
