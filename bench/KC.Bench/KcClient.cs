using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KC.Bench;

/// <summary>A submitted job: its id, when its 201 arrived, and how long the submit took.</summary>
internal sealed record Submitted(long JobId, long AcceptedTimestamp, TimeSpan Latency);

/// <summary>Anything that makes a figure meaningless: a job that failed, a service that died, a wrong answer.</summary>
internal sealed class BenchFailureException(string message) : Exception(message);

/// <summary>What a client of the contract does: submit, then poll the status until the job settles.</summary>
internal sealed class KcClient(HttpClient http)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<Submitted> SubmitAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync(new Uri("api/submit", UriKind.Relative), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var accepted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchFailureException($"submit answered {(int)response.StatusCode}: {Shorten(text)}");
        }

        using var document = JsonDocument.Parse(text);
        return new Submitted(document.RootElement.GetProperty("job_id").GetInt64(), accepted, Stopwatch.GetElapsedTime(started, accepted));
    }

    /// <summary>The status word, after making sure the job has not ended in a way a benchmark cannot use.</summary>
    public async Task<string> StatusAsync(long jobId, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(StatusUri(jobId), cancellationToken);
        using var document = JsonDocument.Parse(text);
        var status = document.RootElement.GetProperty("status").GetString() ?? string.Empty;
        return status is "ongoing" or "completed"
            ? status
            : throw new BenchFailureException($"job {jobId} ended {status}: {Shorten(text)}");
    }

    /// <summary>
    /// Polls every <paramref name="interval"/> until the job is completed, as a client would, and
    /// returns the time from the submit's 201 to the first poll that saw it completed.
    /// </summary>
    public async Task<TimeSpan> WaitForCompletionAsync(Submitted job, TimeSpan interval, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (await StatusAsync(job.JobId, deadline.Token) == "completed")
                {
                    return Stopwatch.GetElapsedTime(job.AcceptedTimestamp);
                }

                await Task.Delay(interval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchFailureException($"job {job.JobId} was not completed after {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The job's results: every image must have succeeded with the perimeter of its URL's size.</summary>
    public async Task VerifyResultsAsync(long jobId, ImageCatalog images, int imageCount, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri($"api/jobs/{jobId.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative), cancellationToken);
        using var document = JsonDocument.Parse(text);
        var results = document.RootElement.GetProperty("visits").EnumerateArray()
            .SelectMany(visit => visit.GetProperty("images").EnumerateArray())
            .ToList();
        if (results.Count != imageCount)
        {
            throw new BenchFailureException($"job {jobId} shows {results.Count} images, expected {imageCount}");
        }

        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            if (result.GetProperty("status").GetString() != "succeeded"
                || result.GetProperty("image_url").GetString() != images.Url(i)
                || result.GetProperty("perimeter").GetInt32() != images.ExpectedPerimeter(i))
            {
                throw new BenchFailureException($"job {jobId}, image {i}: unexpected result {result}");
            }
        }
    }

    public static Uri StatusUri(long jobId) =>
        new($"api/status?jobid={jobId.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative);

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
