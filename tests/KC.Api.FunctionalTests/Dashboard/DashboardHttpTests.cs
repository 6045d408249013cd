using System.Net;
using KC.Api.Dashboard;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Dashboard;

/// <summary>
/// The dashboard's pages over plain HTTP, on whichever database this assembly runs against (the
/// browser tests run on SQLite only): every page and filter answers, escapes what clients sent,
/// and carries its protective headers.
/// </summary>
public sealed class DashboardHttpTests : ServiceTestBase
{
    private long _completedJob;
    private long _failedJob;

    [OneTimeSetUp]
    public async Task SubmitJobsAsync()
    {
        _completedJob = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/80x40.png"), Images.Url("/img/81x40.png"))));
        await WaitUntilSettledAsync(Client, _completedJob);
        _failedJob = await SubmitAsync(Client, Submission(
            Visit(OtherKnownStore, Images.Url("/status/404")),
            Visit("<script>alert(1)</script>", Images.Url("/img/82x40.png?<b>bold</b>"))));
        await WaitUntilSettledAsync(Client, _failedJob);
    }

    [TestCase("/dashboard")]
    [TestCase("/dashboard/live/queue")]
    [TestCase("/dashboard/live/activity")]
    [TestCase("/dashboard/jobs")]
    [TestCase("/dashboard/jobs?status=failed&store=S01408764&area=700092&from=2020-01-01&to=2099-12-31")]
    [TestCase("/dashboard/jobs?older_than=2")]
    [TestCase("/dashboard/jobs?newer_than=1")]
    [TestCase("/dashboard/stores?q=store&area=710006")]
    [TestCase("/dashboard/stores/S00339218")]
    [TestCase("/dashboard/nodes")]
    [TestCase("/dashboard/submit")]
    public async Task Page_WhenAskedFor_AnswersWithItsServerTimeAndAPolicyThatAllowsOnlyKcsOwnFiles(string path)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(response.Headers.GetValues("Server-Timing").Single(), Does.Match(@"^app;dur=\d+(\.\d)?$"));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'none'; script-src 'self'; style-src 'self'"));
    }

    [Test]
    public async Task JobPage_WhenAStoreIdAndAUrlHoldMarkup_ShowsThemEscaped()
    {
        var body = await (await Client.GetAsync(new Uri($"/dashboard/jobs/{_failedJob}", UriKind.Relative))).Content.ReadAsStringAsync();

        Assert.That(body, Does.Not.Contain("<script>alert(1)</script>").And.Not.Contain("<b>bold</b>"));
        Assert.That(body, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    [Test]
    public async Task JobPage_ForSucceededImages_ShowsTheBytesAndTimingsTheResultsRecord()
    {
        var details = await Client.GetJsonAsync($"/api/jobs/{_completedJob}");

        var body = await (await Client.GetAsync(new Uri($"/dashboard/jobs/{_completedJob}", UriKind.Relative))).Content.ReadAsStringAsync();

        foreach (var image in details["visits"]![0]!["images"]!.AsArray())
        {
            var bytes = image!["bytes"]!.GetValue<long>();
            var gpu = image["gpu_ms"]!.GetValue<int>();
            var download = image["download_ms"]!.GetValue<int>();
            Assert.That(body, Does.Contain($"<td class=\"num\">{bytes.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)}</td>"));
            Assert.That(body, Does.Contain($"<td class=\"num\">{gpu.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)} ms</td>"));
            Assert.That(body, Does.Contain($"<td class=\"num\">{download.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture)} ms</td>"));
        }
    }

    [Test]
    public async Task JobPage_WhenTheJobHasMoreImagesThanThePageLists_ListsTheFirstAndCountsEveryVisitsImages()
    {
        static Uri[] Urls(Uri image, int count) => [.. Enumerable.Range(0, count).Select(n => new Uri($"{image}?n={n}"))];
        var shown = JobPagesController.MaxImagesShown;
        var jobId = await SubmitAsync(Client, Submission(
            Visit("S00000003", Urls(Images.Url("/img/80x40.png"), shown - 10)),
            Visit("S00000004", Urls(Images.Url("/img/81x40.png"), 30))));

        var body = await (await Client.GetAsync(new Uri($"/dashboard/jobs/{jobId}", UriKind.Relative))).Content.ReadAsStringAsync();

        Assert.That(body, Does.Contain($"The first {shown:#,0} of {shown + 20:#,0} images are listed"));
        Assert.That(System.Text.RegularExpressions.Regex.Count(body, "<td class=\"url\">"), Is.EqualTo(shown));
        Assert.That(body, Does.Contain($"; {shown - 10:#,0} images.").And.Contain("; 30 images."), "each visit says how many images it has, listed or not");
        await WaitUntilSettledAsync(Client, jobId);
    }

    [Test]
    public async Task Jobs_WhenFilteredByStore_ListOnlyTheJobsThatVisitedIt()
    {
        var body = await (await Client.GetAsync(new Uri($"/dashboard/jobs?store={OtherKnownStore}", UriKind.Relative))).Content.ReadAsStringAsync();

        Assert.That(Rows(body), Is.EqualTo(new[] { _failedJob }));
    }

    [TestCase("/dashboard/jobs?job=abc", "job: must be a positive integer")]
    [TestCase("/dashboard/jobs?status=lost", "status: must be one of ongoing, completed, failed, cancelled")]
    [TestCase("/dashboard/jobs?from=2025-03-12&to=2025-03-11", "from: must not be after to")]
    public async Task Jobs_WhenAFilterIsNotValid_Answer400NamingIt(string path, string error)
    {
        using var response = await Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(error));
    }

    [Test]
    public async Task JobPage_WhenTheJobDoesNotExist_Answers404SayingSo()
    {
        using var response = await Client.GetAsync(new Uri("/dashboard/jobs/987654321", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Job 987654321 was not found."));
    }

    [Test]
    public async Task Action_WhenPostedWithoutTheFormsAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        var jobId = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/83x40.png"))));

        using var response = await Client.PostAsync(new Uri($"/dashboard/jobs/{jobId}/cancel", UriKind.Relative), new FormUrlEncodedContent([]));

        var status = await Client.GetJsonAsync($"/api/status?jobid={jobId}");
        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{jobId}/cancel", UriKind.Relative), null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("ongoing"));
    }

    [Test]
    public async Task Root_WhenAskedFor_RedirectsToTheDashboard()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = Client.BaseAddress };

        using var response = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/dashboard"));
    }

    private static List<long> Rows(string body) =>
        System.Text.RegularExpressions.Regex.Matches(body, "data-job=\"(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
}

/// <summary><c>Dashboard:Enabled=false</c>: no page, no redirect, the API as before.</summary>
public sealed class DisabledDashboardTests : ServiceTestBase
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Dashboard:Enabled"] = "false",
    };

    [TestCase("/")]
    [TestCase("/dashboard")]
    [TestCase("/dashboard/jobs")]
    [TestCase("/dashboard/assets/dashboard.css")]
    public async Task Page_WhenTheDashboardIsDisabled_Answers404(string path)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = Client.BaseAddress };

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Api_WhenTheDashboardIsDisabled_StillAnswers()
    {
        using var response = await Client.GetAsync(new Uri("/api/jobs", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
