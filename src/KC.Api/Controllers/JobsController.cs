using KC.Api.Contracts;
using KC.Api.Infrastructure;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Application.Jobs.Commands.SubmitJob;
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

    /// <summary>
    /// Submits a job of store visits; answers with its id once it is durably stored. With an
    /// <c>Idempotency-Key</c> header a retry of the same body answers with the same job
    /// (header <c>Idempotent-Replayed: true</c>); the same key with another body is a 422. With API
    /// keys set, each API key has keys of its own.
    /// </summary>
    [HttpPost("submit")]
    [Consumes("application/json")]
    [RequireApiKey]
    [EnableRateLimiting(SubmitRateLimitOptions.PolicyName)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests)]
    [ProducesResponseType<SubmitJobResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    public async Task<IActionResult> Submit([FromBody] SubmitJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Read raw, not bound: an empty header is a bad key, not a missing one.
        var idempotencyKey = Request.Headers.TryGetValue(IdempotencyKeyHeader, out var key) ? key.ToString() : null;
        var command = new SubmitJobCommand(
            request.Count,
            request.Visits?.Select(v => v is null ? null : new SubmittedVisit(v.StoreId, v.ImageUrl, v.VisitTime)).ToList(),
            request.CallbackUrl,
            idempotencyKey,
            ApiClient.IdempotencyScopeOf(HttpContext));
        var result = await sender.Send(command, cancellationToken);
        if (result.Replayed)
        {
            Response.Headers[IdempotentReplayedHeader] = "true";
        }

        return Created($"/api/jobs/{result.JobId}", new SubmitJobResponse(result.JobId));
    }

    /// <summary>The job's status: ongoing, completed, or failed with the failing stores. <c>400 {}</c> for an unknown job.</summary>
    [HttpGet("status")]
    [ProducesResponseType<JobStatusResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IActionResult> Status([FromQuery(Name = "jobid")] long? jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new GetJobStatusQuery(jobId), cancellationToken);
        return view is null ? BadRequest(new { }) : Ok(view.ToResponse());
    }

    /// <summary>Cancels an ongoing job: pending images never start and images in flight stop. Cancelling again is harmless.</summary>
    [HttpPost("jobs/{job_id}/cancel")]
    [RequireApiKey]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<JobStatusResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IActionResult> Cancel([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new CancelJobCommand(jobId), cancellationToken);
        return Ok(view.ToResponse());
    }

    /// <summary>The job with every visit and every image's result.</summary>
    [HttpGet("jobs/{job_id}")]
    [ProducesResponseType<JobDetailsResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IActionResult> Details([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        var view = await sender.Send(new GetJobDetailsQuery(jobId), cancellationToken);
        return Ok(view.ToResponse());
    }

    /// <summary>Jobs newest first, optionally only those of one status, a page at a time.</summary>
    [HttpGet("jobs")]
    [ProducesResponseType<PageResponse<JobSummaryResponse>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<IActionResult> List(
        [FromQuery(Name = "status")] string? status,
        [FromQuery(Name = "page")] long? page,
        [FromQuery(Name = "page_size")] long? pageSize,
        CancellationToken cancellationToken)
    {
        var result = await sender.Send(new ListJobsQuery(status, page, pageSize), cancellationToken);
        return Ok(result.ToResponse());
    }

    /// <summary>Every image result of the job as a CSV attachment, one row per image, streamed as it is read.</summary>
    [HttpGet("jobs/{job_id}/results.csv")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
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
