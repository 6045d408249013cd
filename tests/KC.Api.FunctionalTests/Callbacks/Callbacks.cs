using System.Diagnostics;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;

namespace KC.Api.FunctionalTests.Callbacks;

/// <summary>Submit bodies with a <c>callback_url</c>, and waiting on a job's callback the way a client would see it.</summary>
internal static class Callbacks
{
    public static JsonObject WithCallback(this JsonObject submission, Uri callbackUrl)
    {
        submission["callback_url"] = callbackUrl.ToString();
        return submission;
    }

    /// <summary>Polls <c>GET /api/jobs/{id}</c> until its callback is <paramref name="status"/>; returns the callback member.</summary>
    public static async Task<JsonNode> WaitForCallbackAsync(HttpClient client, long jobId, string status, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var callback = (await client.GetJsonAsync($"/api/jobs/{jobId}"))["callback"];
            if (callback?["status"]?.GetValue<string>() == status)
            {
                return callback;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"The callback of job {jobId} was not {status} after {limit.TotalSeconds} s: {callback?.ToJsonString()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The raw body of <c>GET /api/status</c>, which a callback must carry byte for byte.</summary>
    public static async Task<string> StatusBodyAsync(HttpClient client, long jobId)
    {
        using var response = await client.GetAsync(new Uri($"/api/status?jobid={jobId}", UriKind.Relative));
        return await response.Content.ReadAsStringAsync();
    }

    public static IEnumerable<(int? StatusCode, string? Error)> Attempts(JsonNode callback) =>
        callback["attempts"]!.AsArray().Select(a => (a!["status_code"]?.GetValue<int>(), a["error"]?.GetValue<string>()));
}
