using KC.Api.Contracts;
using KC.Api.Infrastructure;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Application.Jobs.Commands.RetryJob;
using KC.Application.Jobs.Queries.ExportJobResults;
using KC.Application.Jobs.Queries.GetJobDetails;
using KC.Application.Jobs.Queries.GetJobStatus;
using KC.Application.Jobs.Queries.ListJobs;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace KC.Api.Controllers;

/// <summary>The Retail Pulse contract: submit a job, poll its status, read its results.</summary>
[ApiController]
[Route("api")]
public sealed class JobsController(ISender sender) : ControllerBase
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string IdempotentReplayedHeader = "Idempotent-Replayed";

    /// <summary>Submit a job</summary>
    /// <remarks>
    /// Submits a job of store visits; answers with its id once it is durably stored. With an
    /// <c>Idempotency-Key</c> header a retry of the same body answers with the same job (header
    /// <c>Idempotent-Replayed: true</c>); the same key with another body is a 422. With API keys
    /// set, each API key has keys of its own.
    /// </remarks>
    [HttpPost("submit", Name = "SubmitJob")]
    [Consumes("application/json")]
    [RequireApiKey]
    [EnableRateLimiting(SubmitRateLimitOptions.PolicyName)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status401Unauthorized, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status415UnsupportedMediaType, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status429TooManyRequests, ProblemResponse.ContentType)]
    [ProducesResponseType<SubmitJobResponse>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status422UnprocessableEntity, ProblemResponse.ContentType)]
    public async Task<IActionResult> Submit([FromBody] SubmitJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Read raw, not bound: an empty header is a bad key, not a missing one.
        var idempotencyKey = Request.Headers.TryGetValue(IdempotencyKeyHeader, out var key) ? key.ToString() : null;
        var result = await sender.Send(request.ToCommand(idempotencyKey, ApiClient.IdempotencyScopeOf(HttpContext)), cancellationToken);
        if (result.Replayed)
        {
            Response.Headers[IdempotentReplayedHeader] = "true";
        }

        return Created($"/api/jobs/{result.JobId}", new SubmitJobResponse(result.JobId));
    }

    /// <summary>Get a job's status</summary>
    /// <remarks>
    /// The job's status: ongoing, completed, or failed with the failing stores. <c>400 {}</c> for
    /// an unknown job.
    /// </remarks>
    [HttpGet("status", Name = "GetJobStatus")]
    [ProducesResponseType<JobStatusResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    public async Task<IActionResult> Status([FromQuery(Name = "jobid")] long? jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new GetJobStatusQuery(jobId), cancellationToken);
        return view is null ? BadRequest(new { }) : Ok(view.ToResponse());
    }

    /// <summary>Cancel a job</summary>
    /// <remarks>
    /// Cancels an ongoing job: pending images never start and images in flight stop. Cancelling
    /// again is harmless.
    /// </remarks>
    [HttpPost("jobs/{job_id}/cancel", Name = "CancelJob")]
    [RequireApiKey]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status401Unauthorized, ProblemResponse.ContentType)]
    [ProducesResponseType<JobStatusResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status404NotFound, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status409Conflict, ProblemResponse.ContentType)]
    public async Task<IActionResult> Cancel([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new CancelJobCommand(jobId), cancellationToken);
        return Ok(view.ToResponse());
    }

    /// <summary>Retry a failed job</summary>
    /// <remarks>
    /// Puts a failed job's failed images back in the queue and the job back to ongoing; images of
    /// a store still missing from the store master stay failed. The job settles, and calls its
    /// callback, again. Only a failed job can be retried.
    /// </remarks>
    [HttpPost("jobs/{job_id}/retry", Name = "RetryJob")]
    [RequireApiKey]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status401Unauthorized, ProblemResponse.ContentType)]
    [ProducesResponseType<JobStatusResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status404NotFound, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status409Conflict, ProblemResponse.ContentType)]
    public async Task<IActionResult> Retry([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new RetryJobCommand(jobId), cancellationToken);
        return Ok(view.ToResponse());
    }

    /// <summary>Get a job's results</summary>
    /// <remarks>
    /// The job with every visit and every image's result.
    /// </remarks>
    [HttpGet("jobs/{job_id}", Name = "GetJob")]
    [ProducesResponseType<JobDetailsResponse>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status404NotFound, ProblemResponse.ContentType)]
    public async Task<IActionResult> Details([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new GetJobDetailsQuery(jobId), cancellationToken);
        return Ok(view.ToResponse());
    }

    /// <summary>List jobs</summary>
    /// <remarks>
    /// Jobs newest first, optionally only those of one status, a page at a time.
    /// </remarks>
    [HttpGet("jobs", Name = "ListJobs")]
    [ProducesResponseType<PageResponse<JobSummaryResponse>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    public async Task<IActionResult> List(
        [FromQuery(Name = "status")] string? status,
        [FromQuery(Name = "page")] long? page,
        [FromQuery(Name = "page_size")] long? pageSize,
        CancellationToken cancellationToken)
    {
        var result = await sender.Send(new ListJobsQuery(status, page, pageSize), cancellationToken);
        return Ok(result.ToResponse());
    }

    /// <summary>Export results as CSV</summary>
    /// <remarks>
    /// Every image result of the job as a CSV attachment, one row per image, streamed as it is
    /// read.
    /// </remarks>
    [HttpGet("jobs/{job_id}/results.csv", Name = "ExportJobResults")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status400BadRequest, ProblemResponse.ContentType)]
    [ProducesResponseType<ProblemResponse>(StatusCodes.Status404NotFound, ProblemResponse.ContentType)]
    public async Task<IActionResult> Results([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        // The query checks that the job exists before the first byte; the rows are read while they are written.
        var export = await sender.Send(new ExportJobResultsQuery(jobId), cancellationToken);
        return new CsvDownloadResult(
            JobResultsCsv.FileName(export.JobId),
            JobResultsCsv.Header,
            export.Rows.Select(row => JobResultsCsv.Fields(row.ToCsvRow())));
    }
}
