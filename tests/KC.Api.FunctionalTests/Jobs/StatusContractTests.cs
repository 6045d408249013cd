using System.Net;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Jobs;

/// <summary>The status and details endpoints' answers for ids that are missing, malformed or unknown.</summary>
public sealed class StatusContractTests : ServiceTestBase
{
    [Test]
    public async Task Status_WhenJobDoesNotExist_Returns400WithEmptyObject()
    {
        using var response = await Client.GetAsync(new Uri("/api/status?jobid=987654321", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{}"));
        });
    }

    [TestCase("", "jobid: is required")]
    [TestCase("?jobid=", "jobid: is required")]
    [TestCase("?jobid=abc", "jobid: must be a positive integer")]
    [TestCase("?jobid=0", "jobid: must be a positive integer")]
    [TestCase("?jobid=-4", "jobid: must be a positive integer")]
    [TestCase("?jobid=1.5", "jobid: must be a positive integer")]
    [TestCase("?jobid=99999999999999999999999", "jobid: must be a positive integer")]
    public async Task Status_WhenJobIdIsMissingOrInvalid_Returns400NamingJobId(string query, string expectedError)
    {
        using var response = await Client.GetAsync(new Uri("/api/status" + query, UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo(expectedError));
        });
    }

    [Test]
    public async Task Details_WhenJobDoesNotExist_Returns404ProblemDetails()
    {
        using var response = await Client.GetAsync(new Uri("/api/jobs/987654321", UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(json["status"]?.GetValue<int>(), Is.EqualTo(404));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo("Job 987654321 was not found."));
        });
    }

    [TestCase("abc")]
    [TestCase("0")]
    public async Task Details_WhenJobIdIsInvalid_Returns400NamingJobId(string id)
    {
        using var response = await Client.GetAsync(new Uri($"/api/jobs/{id}", UriKind.Relative));

        var json = await Json.ReadAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json["error"]?.GetValue<string>(), Is.EqualTo("job_id: must be a positive integer"));
        });
    }
}
