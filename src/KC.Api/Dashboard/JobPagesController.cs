using KC.Api.Dashboard.Models;
using KC.Application.Jobs.Commands.BulkJobs;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Application.Jobs.Commands.RetryJob;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Application.Jobs.Queries.GetJobPage;
using KC.Application.Jobs.Queries.GetJobProgress;
using KC.Domain.Jobs;
using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace KC.Api.Dashboard;

/// <summary>The job list with its filters and bulk actions, and one job's page with cancel and retry.</summary>
[Route("dashboard/jobs")]
public sealed class JobPagesController(ISender sender) : DashboardPage
{
    /// <summary>The most image rows a job page lists, and reads; the CSV export and the JSON have every one.</summary>
    public const int MaxImagesShown = 2_000;

    [HttpGet("")]
    public async Task<IActionResult> Index(
        [FromQuery(Name = "status")] string? status,
        [FromQuery(Name = "store")] string? store,
        [FromQuery(Name = "area")] string? area,
        [FromQuery(Name = "from")] string? from,
        [FromQuery(Name = "to")] string? to,
        [FromQuery(Name = "job")] long? job,
        [FromQuery(Name = "older_than")] long? olderThan,
        [FromQuery(Name = "newer_than")] long? newerThan,
        CancellationToken cancellationToken)
    {
        var filter = new JobFilterText(status, store, area, from, to, job);
        var page = await sender.Send(new BrowseJobsQuery(filter, olderThan, newerThan), cancellationToken);
        var model = new JobListPage(filter, page, olderThan, newerThan);
        return IsLiveRefresh(Request) ? PartialView("_Rows", model) : View(model);
    }

    /// <summary>
    /// A bulk action as the list's form sends it: first a page that says how many jobs it will
    /// touch, then, confirmed, the action itself, on at most <see cref="BulkJobCommand.MaxJobs"/> jobs.
    /// </summary>
    [HttpPost("bulk")]
    [DashboardAction]
    public async Task<IActionResult> Bulk(
        [FromForm(Name = "action")] BulkJobAction action,
        [FromQuery(Name = "scope")] string? scope,
        [FromForm(Name = "ids")] long[]? ids,
        [FromForm(Name = "confirmed")] bool confirmed,
        [FromForm(Name = "status")] string? status,
        [FromForm(Name = "store")] string? store,
        [FromForm(Name = "area")] string? area,
        [FromForm(Name = "from")] string? from,
        [FromForm(Name = "to")] string? to,
        [FromForm(Name = "job")] long? job,
        CancellationToken cancellationToken)
    {
        var filter = new JobFilterText(status, store, area, from, to, job);
        var matching = scope == "matching";
        var selected = matching ? null : (ids ?? []).Distinct().ToList();
        if (!confirmed)
        {
            var count = matching
                ? await sender.Send(new CountBulkJobsQuery(action, filter), cancellationToken)
                : selected!.Count;
            return View("Confirm", new BulkConfirmPage(action, filter, selected, count));
        }

        var result = await sender.Send(new BulkJobCommand(action, selected, matching ? filter : null), cancellationToken);
        return View("BulkResult", new BulkResultPage(result, filter, matching));
    }

    [HttpGet("{jobId}")]
    public async Task<IActionResult> Show([FromRoute] long jobId, CancellationToken cancellationToken)
    {
        var job = await sender.Send(new GetJobPageQuery(jobId, MaxImagesShown), cancellationToken);
        return View(new JobPage(job, Math.Min(job.Progress.Total, MaxImagesShown), job.Progress.Total));
    }

    /// <summary>The job's progress bar and counts, refreshed while it runs: one primary-key read.</summary>
    [HttpGet("{jobId}/live")]
    public async Task<IActionResult> Live([FromRoute] long jobId, CancellationToken cancellationToken)
    {
        var progress = await sender.Send(new GetJobProgressQuery(jobId), cancellationToken);
        if (progress.Job.Status.IsFinal())
        {
            Response.Headers[FinalHeader] = "true";
        }

        return PartialView("_Progress", progress);
    }

    [HttpPost("{jobId}/cancel")]
    [DashboardAction]
    public async Task<IActionResult> Cancel([FromRoute] long jobId, CancellationToken cancellationToken)
    {
        await sender.Send(new CancelJobCommand(jobId), cancellationToken);
        Notify($"Job {jobId} cancelled.");
        return RedirectToAction(nameof(Show), new { jobId });
    }

    [HttpPost("{jobId}/retry")]
    [DashboardAction]
    public async Task<IActionResult> Retry([FromRoute] long jobId, CancellationToken cancellationToken)
    {
        var status = await sender.Send(new RetryJobCommand(jobId), cancellationToken);
        Notify($"Job {jobId}: {status.Progress.Pending} failed images are back in the queue.");
        return RedirectToAction(nameof(Show), new { jobId });
    }
}
