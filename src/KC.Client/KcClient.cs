using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KC.Client;

/// <summary>
/// A typed client of the KC service over an <see cref="HttpClient"/> whose base address is the
/// service's root: register it with
/// <see cref="KcClientServiceCollectionExtensions.AddKcClient"/>, or give it an
/// <see cref="HttpClient"/> prepared by <see cref="KcClientOptions.ApplyTo"/>.
/// </summary>
/// <remarks>
/// Every method throws <see cref="KcApiException"/> when the service refuses the request
/// (<see cref="KcNotFoundException"/> when the job or store does not exist),
/// <see cref="HttpRequestException"/> when it cannot be reached, and
/// <see cref="TaskCanceledException"/> when the token is cancelled or the client's timeout passes.
/// </remarks>
public sealed class KcClient
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string IdempotentReplayedHeader = "Idempotent-Replayed";
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;

    /// <summary>A client over <paramref name="httpClient"/>, which it does not dispose.</summary>
    /// <param name="httpClient">Its <see cref="HttpClient.BaseAddress"/> is the service's root; see <see cref="KcClientOptions.ApplyTo"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="httpClient"/> has no absolute base address.</exception>
    public KcClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is not { IsAbsoluteUri: true })
        {
            throw new ArgumentException($"The HttpClient needs the service's root as its BaseAddress; set {nameof(KcClientOptions)}.{nameof(KcClientOptions.BaseAddress)}.", nameof(httpClient));
        }

        _http = httpClient;
    }

    /// <summary>
    /// Submits a job (<c>POST /api/submit</c>); the job is durably stored when this returns.
    /// </summary>
    /// <param name="job">The visits, and the optional <see cref="JobSubmission.CallbackUrl"/>.</param>
    /// <param name="idempotencyKey">
    /// Optional <c>Idempotency-Key</c> (1–200 printable ASCII characters): a retry with the same key
    /// and body answers with the same job (<see cref="SubmittedJob.Replayed"/>) instead of making another;
    /// the same key with another body is refused with <c>422</c>.
    /// </param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The job's id.</returns>
    /// <exception cref="KcApiException"><c>400</c> for an invalid body, naming the field (<see cref="KcApiException.Errors"/> lists them all); <c>401</c>, <c>415</c>, <c>422</c>, <c>429</c>.</exception>
    public async Task<SubmittedJob> SubmitAsync(JobSubmission job, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/submit")
        {
            Content = JsonContent.Create(job, options: KcJson.Options),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        }

        using var response = await SendAsync(request, unknownJobId: null, cancellationToken).ConfigureAwait(false);
        var submitted = await ReadAsync<SubmittedJob>(response, cancellationToken).ConfigureAwait(false);
        var replayed = response.Headers.TryGetValues(IdempotentReplayedHeader, out var values)
            && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
        return submitted with { Replayed = replayed };
    }

    /// <summary>The job's status and progress (<c>GET /api/status?jobid=</c>), cheap to poll.</summary>
    /// <exception cref="KcNotFoundException">The job does not exist (the endpoint's <c>400 {}</c>).</exception>
    public Task<JobStatus> GetStatusAsync(long jobId, CancellationToken cancellationToken = default) =>
        GetAsync<JobStatus>(string.Create(CultureInfo.InvariantCulture, $"api/status?jobid={jobId}"), jobId, cancellationToken);

    /// <summary>The job with every visit and every image's result (<c>GET /api/jobs/{job_id}</c>).</summary>
    /// <exception cref="KcNotFoundException">The job does not exist.</exception>
    public Task<JobDetails> GetJobAsync(long jobId, CancellationToken cancellationToken = default) =>
        GetAsync<JobDetails>(JobPath(jobId), unknownJobId: null, cancellationToken);

    /// <summary>Jobs newest first, a page at a time (<c>GET /api/jobs</c>).</summary>
    /// <param name="query">A status filter and the page; null for the first page of all jobs.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ResultPage<JobSummary>> ListJobsAsync(JobQuery? query = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryPath("api/jobs")
            .Add("status", query?.Status is { } status ? JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString()) : null)
            .Add("page", query?.Page)
            .Add("page_size", query?.PageSize);
        return GetAsync<ResultPage<JobSummary>>(path.ToString(), unknownJobId: null, cancellationToken);
    }

    /// <summary>Visits across jobs with their images' results, by visit time (<c>GET /api/visits</c>).</summary>
    /// <param name="query">Filters by area, store and visit time, and the page; null for the first page of all visits.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ResultPage<VisitResult>> SearchVisitsAsync(VisitQuery? query = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryPath("api/visits")
            .Add("area", query?.Area)
            .Add("storeid", query?.StoreId)
            .Add("startdate", query?.StartDate)
            .Add("enddate", query?.EndDate)
            .Add("page", query?.Page)
            .Add("page_size", query?.PageSize);
        return GetAsync<ResultPage<VisitResult>>(path.ToString(), unknownJobId: null, cancellationToken);
    }

    /// <summary>Stores of the store master by id (<c>GET /api/stores</c>).</summary>
    /// <param name="query">Filters by area code and name, and the page; null for the first page of all stores.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ResultPage<Store>> ListStoresAsync(StoreQuery? query = null, CancellationToken cancellationToken = default)
    {
        var path = new QueryPath("api/stores")
            .Add("area", query?.Area)
            .Add("q", query?.Name)
            .Add("page", query?.Page)
            .Add("page_size", query?.PageSize);
        return GetAsync<ResultPage<Store>>(path.ToString(), unknownJobId: null, cancellationToken);
    }

    /// <summary>One store by its exact id (<c>GET /api/stores/{store_id}</c>).</summary>
    /// <exception cref="KcNotFoundException">No store has that id.</exception>
    public Task<Store> GetStoreAsync(string storeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeId);
        return GetAsync<Store>("api/stores/" + Uri.EscapeDataString(storeId), unknownJobId: null, cancellationToken);
    }

    /// <summary>
    /// Upserts a store-master CSV read from <paramref name="csv"/> (<c>POST /api/stores/import</c>,
    /// sent as <c>text/csv</c> as it is read). Stores are inserted or updated, never deleted;
    /// unusable rows are skipped and reported.
    /// </summary>
    /// <param name="csv">The CSV, header first; read to its end, not disposed.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <exception cref="KcApiException"><c>400</c> when the header is unusable, a record is over 1 MiB or the upload over the service's cap (nothing is imported then); <c>401</c>.</exception>
    public async Task<StoreImportResult> ImportStoresAsync(Stream csv, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var content = new StreamContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = Encoding.UTF8.WebName };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/stores/import") { Content = content };
        using var response = await SendAsync(request, unknownJobId: null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<StoreImportResult>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Upserts the store-master CSV file at <paramref name="path"/>; see <see cref="ImportStoresAsync(Stream, CancellationToken)"/>.</summary>
    public async Task<StoreImportResult> ImportStoresAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            return await ImportStoresAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every node that has run against the service's database, by id (<c>GET /api/nodes</c>).</summary>
    public async Task<IReadOnlyList<Node>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync<NodeList>("api/nodes", unknownJobId: null, cancellationToken).ConfigureAwait(false)).Nodes;

    /// <summary>
    /// Cancels an ongoing job (<c>POST /api/jobs/{job_id}/cancel</c>): pending images never start,
    /// images in flight stop, settled ones keep their results. Cancelling a cancelled job answers the same.
    /// </summary>
    /// <returns>The job's status, <see cref="JobState.Cancelled"/>.</returns>
    /// <exception cref="KcNotFoundException">The job does not exist.</exception>
    /// <exception cref="KcApiException"><c>409</c> when the job has already completed or failed; <c>401</c>.</exception>
    public async Task<JobStatus> CancelAsync(long jobId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, JobPath(jobId) + "/cancel");
        using var response = await SendAsync(request, unknownJobId: null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<JobStatus>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The job's results as CSV (<c>GET /api/jobs/{job_id}/results.csv</c>), streamed as the service
    /// writes it: header <c>store_id,store_name,area_code,visit_time,image_url,status,width,height,perimeter,error</c>,
    /// then one RFC 4180 row per image in submission order.
    /// </summary>
    /// <returns>The body, to read once; dispose it to release the connection.</returns>
    /// <exception cref="KcNotFoundException">The job does not exist.</exception>
    public async Task<Stream> GetResultsCsvAsync(long jobId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JobPath(jobId) + "/results.csv");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await SendAsync(request, unknownJobId: null, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResponseStream(body, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Polls the job's status until it leaves <see cref="JobState.Ongoing"/>, reporting every status
    /// read to <paramref name="progress"/> (the first at once, the last the final one).
    /// </summary>
    /// <param name="jobId">The job.</param>
    /// <param name="progress">Told each status polled, for a progress display; may be null.</param>
    /// <param name="pollInterval">The wait between two polls; 1 s when null.</param>
    /// <param name="cancellationToken">Stops waiting (the job goes on).</param>
    /// <returns>The final status: completed, failed (with the failing stores) or cancelled.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pollInterval"/> is not positive.</exception>
    /// <exception cref="KcNotFoundException">The job does not exist.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<JobStatus> WaitForCompletionAsync(long jobId, IProgress<JobStatus>? progress = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        while (true)
        {
            var status = await GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
            progress?.Report(status);
            if (status.Status != JobState.Ongoing)
            {
                return status;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string JobPath(long jobId) => string.Create(CultureInfo.InvariantCulture, $"api/jobs/{jobId}");

    private async Task<T> GetAsync<T>(string path, long? unknownJobId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendAsync(request, unknownJobId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    // A refusal becomes the exception that carries its problem details; unknownJobId is the job
    // asked for when a 400 {} means it does not exist.
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, long? unknownJobId, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ProblemAnswer.ReadAsync(response, unknownJobId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(KcJson.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException($"The KC service answered {response.RequestMessage?.RequestUri} with JSON null.");
}
