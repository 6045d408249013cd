using System.Diagnostics;
using System.Text.Json.Nodes;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>Builds submit bodies and drives a job the way a client does: submit, then poll.</summary>
public static class Jobs
{
    public const string KnownStore = "S00339218";
    public const string OtherKnownStore = "S01408764";

    public static JsonObject Visit(string storeId, params Uri[] images) => new()
    {
        ["store_id"] = storeId,
        ["image_url"] = new JsonArray(images.Select(u => (JsonNode)JsonValue.Create(u.ToString())).ToArray()),
        ["visit_time"] = "2025-03-11T12:00:00Z",
    };

    public static JsonObject Submission(params JsonObject[] visits) => new()
    {
        ["count"] = visits.Length,
        ["visits"] = new JsonArray(visits.Cast<JsonNode>().ToArray()),
    };

    public static async Task<long> SubmitAsync(HttpClient client, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostJsonAsync("/api/submit", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        return JsonNode.Parse(text)!["job_id"]!.GetValue<long>();
    }

    /// <summary>Polls the status until the job leaves <c>ongoing</c>; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<JsonNode> WaitUntilSettledAsync(HttpClient client, long jobId, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await client.GetJsonAsync($"/api/status?jobid={jobId}");
            if (status["status"]!.GetValue<string>() != "ongoing")
            {
                return status;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Job {jobId} was still ongoing after {limit.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }
}
