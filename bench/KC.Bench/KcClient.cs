using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KC.Client;

namespace KC.Bench;

/// <summary>A submitted job: its id, when its 201 arrived, and how long the submit took.</summary>
internal sealed record Submitted(long JobId, long AcceptedTimestamp, TimeSpan Latency);

/// <summary>Anything that makes a figure meaningless: a job that failed, a service that died, a wrong answer.</summary>
internal sealed class BenchFailureException(string message) : Exception(message);

/// <summary>
/// What a client of the contract does: submit, then poll the status until the job settles, then
/// read the results. Everything but the submit goes through <see cref="KC.Client.KcClient"/>, as
/// an API consumer's code would. The submit sends a body serialised before its clock starts
/// (<see cref="JobPayload"/>), so its latency is the service's and not the client's JSON work.
/// A request that fails (the service gone, a connection reset, an error status) is a
/// <see cref="BenchFailureException"/> naming the job and the step; the caller then reports the
/// service's last lines.
/// </summary>
internal sealed class KcClient
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly KC.Client.KcClient _kc;

    /// <param name="http">Its base address is the service's root; not disposed.</param>
    public KcClient(HttpClient http)
    {
        _http = http;
        _kc = new KC.Client.KcClient(http);
    }

    public async Task<Submitted> SubmitAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var started = Stopwatch.GetTimestamp();
        using var response = await Failing("the submit", () => _http.PostAsync(new Uri("api/submit", UriKind.Relative), content, cancellationToken));
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var accepted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new BenchFailureException($"submit answered {(int)response.StatusCode}: {Shorten(text)}");
        }

        var submitted = JsonSerializer.Deserialize<SubmittedJob>(text, KcJson.Options)
            ?? throw new BenchFailureException($"submit answered {Shorten(text)}");
        return new Submitted(submitted.JobId, accepted, Stopwatch.GetElapsedTime(started, accepted));
    }

    /// <summary>The status word, after making sure the job has not ended in a way a benchmark cannot use.</summary>
    public async Task<string> StatusAsync(long jobId, CancellationToken cancellationToken)
    {
        var status = await Failing($"the status of job {jobId}", () => _kc.GetStatusAsync(jobId, cancellationToken));
        return status.Status switch
        {
            JobState.Ongoing => "ongoing",
            JobState.Completed => "completed",
            _ => throw Unusable(status),
        };
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
            var final = await Failing(
                $"the status of job {job.JobId}",
                () => _kc.WaitForCompletionAsync(job.JobId, pollInterval: interval, cancellationToken: deadline.Token));
            var wall = Stopwatch.GetElapsedTime(job.AcceptedTimestamp);
            return final.Status == JobState.Completed ? wall : throw Unusable(final);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new BenchFailureException($"job {job.JobId} was not completed after {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The job's results: every image must have succeeded with the perimeter of its URL's size.</summary>
    public async Task VerifyResultsAsync(long jobId, ImageCatalog images, int imageCount, CancellationToken cancellationToken)
    {
        var job = await Failing($"the results of job {jobId}", () => _kc.GetJobAsync(jobId, cancellationToken));
        var results = job.Visits.SelectMany(visit => visit.Images).ToList();
        if (results.Count != imageCount)
        {
            throw new BenchFailureException($"job {jobId} shows {results.Count} images, expected {imageCount}");
        }

        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            if (result.Status != ImageState.Succeeded || result.ImageUrl != images.Url(i) || result.Perimeter != images.ExpectedPerimeter(i))
            {
                throw new BenchFailureException($"job {jobId}, image {i}: unexpected result {result}");
            }
        }
    }

    /// <summary>Every node that has run against the service's database (<c>GET /api/nodes</c>).</summary>
    public Task<IReadOnlyList<Node>> NodesAsync(CancellationToken cancellationToken) =>
        Failing("the node list", () => _kc.ListNodesAsync(cancellationToken));

    /// <summary>The status request, for clients that time each poll as bytes on the wire (<see cref="Scenarios.StatusPollers"/>).</summary>
    public static Uri StatusUri(long jobId) =>
        new($"api/status?jobid={jobId.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative);

    /// <summary>A job that failed or was cancelled: its counts and its first failing stores.</summary>
    private static BenchFailureException Unusable(JobStatus status) => new(
        $"job {status.JobId} ended {JsonNamingPolicy.SnakeCaseLower.ConvertName(status.Status.ToString())}: {status.Progress}"
        + string.Concat(status.Error.Take(5).Select(e => $"; {e.StoreId}: {e.Error}")));

    /// <summary>Runs one request; its failure becomes a <see cref="BenchFailureException"/> that says which step failed and how.</summary>
    private static async Task<T> Failing<T>(string step, Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (KcApiException ex)
        {
            throw new BenchFailureException($"{step} answered {(int)ex.StatusCode}: {Shorten(ex.Message)}");
        }
        catch (HttpRequestException ex)
        {
            throw new BenchFailureException($"{step} failed: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.Message})" : "")}");
        }
    }

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
