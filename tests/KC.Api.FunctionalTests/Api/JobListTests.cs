using System.Net;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Api;

/// <summary><c>GET /api/jobs</c>: newest first, filtered by status, paged.</summary>
public sealed class JobListTests : ServiceTestBase
{
    private long _completed;
    private long _failed;
    private long _secondCompleted;
    private long _cancelled;
    private long _ongoing;

    /// <summary>Newest first, as the list answers.</summary>
    private long[] All => [_ongoing, _cancelled, _secondCompleted, _failed, _completed];

    [OneTimeSetUp]
    public async Task SubmitJobsOfEveryStatusAsync()
    {
        _completed = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/img/10x10.png"))));
        await WaitUntilSettledAsync(Client, _completed);
        _failed = await SubmitAsync(Client, Submission(Visit("NO-SUCH-STORE", Images.Url("/img/11x11.png"))));
        _secondCompleted = await SubmitAsync(Client, Submission(Visit(OtherKnownStore, Images.Url("/img/12x12.png"))));
        await WaitUntilSettledAsync(Client, _secondCompleted);
        _cancelled = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/13x13.png"))));
        using var cancel = await Client.PostAsync(new Uri($"/api/jobs/{_cancelled}/cancel", UriKind.Relative), null);
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _ongoing = await SubmitAsync(Client, Submission(Visit(KnownStore, Images.Url("/slow/60000/14x14.png"))));
    }

    [Test]
    public async Task List_WhenNoParametersAreGiven_ReturnsEveryJobNewestFirstOnOneDefaultPage()
    {
        var page = await Client.GetJsonAsync("/api/jobs");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<long>(page, "job_id"), Is.EqualTo(All));
            Assert.That(Problems.Paging(page), Is.EqualTo("""{"page":1,"page_size":50,"total_items":5,"total_pages":1}"""));
        });
    }

    [Test]
    public async Task List_WhenJobHasSettled_ShowsItsTimesAndProgressLikeTheDetailsEndpoint()
    {
        var details = await Client.GetJsonAsync($"/api/jobs/{_completed}");

        var page = await Client.GetJsonAsync("/api/jobs?status=completed&page_size=1&page=2");

        var createdAt = details["created_at"]!.GetValue<string>();
        var completedAt = details["completed_at"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(
                page["items"]!.ToJsonString(),
                Is.EqualTo($$$"""[{"job_id":{{{_completed}}},"status":"completed","created_at":"{{{createdAt}}}","completed_at":"{{{completedAt}}}","progress":{"total":1,"succeeded":1,"failed":0,"cancelled":0,"pending":0}}]"""));
            Assert.That(createdAt, Does.EndWith("Z"));
            Assert.That(completedAt, Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task List_WhenJobIsOngoing_HasNoCompletionTimeAndCountsPendingImages()
    {
        var page = await Client.GetJsonAsync("/api/jobs?status=ongoing");

        var item = page["items"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(item["job_id"]!.GetValue<long>(), Is.EqualTo(_ongoing));
            Assert.That(item["completed_at"], Is.Null);
            Assert.That(item["progress"]!.ToJsonString(), Is.EqualTo("""{"total":1,"succeeded":0,"failed":0,"cancelled":0,"pending":1}"""));
        });
    }

    [TestCase("completed")]
    [TestCase("failed")]
    [TestCase("cancelled")]
    [TestCase("ongoing")]
    public async Task List_WhenStatusIsGiven_ReturnsOnlyJobsOfThatStatus(string status)
    {
        var expected = status switch
        {
            "completed" => new[] { _secondCompleted, _completed },
            "failed" => [_failed],
            "cancelled" => [_cancelled],
            _ => [_ongoing],
        };

        var page = await Client.GetJsonAsync($"/api/jobs?status={status}");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<long>(page, "job_id"), Is.EqualTo(expected));
            Assert.That(Problems.Items<string>(page, "status"), Is.All.EqualTo(status));
            Assert.That(page["total_items"]!.GetValue<long>(), Is.EqualTo(expected.Length));
        });
    }

    [Test]
    public async Task List_WhenPagedByTwo_SplitsTheJobsIntoThreePagesAndAnswersEmptyBeyondTheLast()
    {
        var first = await Client.GetJsonAsync("/api/jobs?page_size=2");
        var second = await Client.GetJsonAsync("/api/jobs?page_size=2&page=2");
        var last = await Client.GetJsonAsync("/api/jobs?page_size=2&page=3");
        var beyond = await Client.GetJsonAsync("/api/jobs?page_size=2&page=4");
        var far = await Client.GetJsonAsync("/api/jobs?page_size=500&page=2147483647");

        Assert.Multiple(() =>
        {
            Assert.That(Problems.Items<long>(first, "job_id"), Is.EqualTo(All[..2]));
            Assert.That(Problems.Paging(first), Is.EqualTo("""{"page":1,"page_size":2,"total_items":5,"total_pages":3}"""));
            Assert.That(Problems.Items<long>(second, "job_id"), Is.EqualTo(All[2..4]));
            Assert.That(Problems.Items<long>(last, "job_id"), Is.EqualTo(All[4..]));
            Assert.That(Problems.Paging(last), Is.EqualTo("""{"page":3,"page_size":2,"total_items":5,"total_pages":3}"""));
            Assert.That(beyond["items"]!.AsArray(), Is.Empty);
            Assert.That(Problems.Paging(beyond), Is.EqualTo("""{"page":4,"page_size":2,"total_items":5,"total_pages":3}"""));
            Assert.That(Problems.Paging(far), Is.EqualTo("""{"page":2147483647,"page_size":500,"total_items":5,"total_pages":1}"""));
        });
    }

    [Test]
    public async Task List_WhenPageSizeIsTheMaximum_ReturnsEveryJob()
    {
        var page = await Client.GetJsonAsync("/api/jobs?page_size=500");

        Assert.That(Problems.Items<long>(page, "job_id"), Is.EqualTo(All));
    }

    [TestCase("status=done", "status: must be one of ongoing, completed, failed, cancelled")]
    [TestCase("status=Completed", "status: must be one of ongoing, completed, failed, cancelled")]
    [TestCase("page=0", "page: must be a positive integer")]
    [TestCase("page=-1", "page: must be a positive integer")]
    [TestCase("page=abc", "page: must be a positive integer")]
    [TestCase("page=1.5", "page: must be a positive integer")]
    [TestCase("page=99999999999999999999", "page: must be a positive integer")]
    [TestCase("page=2147483648", "page: must be at most 2147483647")]
    [TestCase("page_size=0", "page_size: must be between 1 and 500")]
    [TestCase("page_size=501", "page_size: must be between 1 and 500")]
    [TestCase("page_size=ten", "page_size: must be a positive integer")]
    public async Task List_WhenAParameterIsInvalid_Returns400NamingIt(string query, string expectedError)
    {
        var problem = await Problems.GetAsync(Client, $"/api/jobs?{query}");

        // Binding errors on this controller are application/json, validation errors application/problem+json.
        Assert.That((problem.Status, problem.Error), Is.EqualTo((HttpStatusCode.BadRequest, expectedError)));
    }
}
