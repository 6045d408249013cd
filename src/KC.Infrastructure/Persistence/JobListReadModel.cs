using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>The job list and the results export: no-tracking projections, never an aggregate.</summary>
internal sealed class JobListReadModel(KcDbContext db) : IJobListReadModel
{
    public Task<ResultPage<JobSummaryView>> ListAsync(JobStatus? status, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var jobs = db.Jobs.AsNoTracking();
        if (status is { } wanted)
        {
            // ix_jobs_status_id (status, id) serves both the filter and the order.
            jobs = jobs.Where(j => j.Status == wanted);
        }

        return jobs
            .OrderByDescending(j => j.Id)
            .Select(j => new JobSummaryView(j.Id, j.Status, j.CreatedAt, j.CompletedAt, JobProgress.Of(j.Status, j.TotalImages, j.SucceededImages, j.FailedImages)))
            .ToPageAsync(page, cancellationToken);
    }

    public Task<bool> JobExistsAsync(long jobId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().AnyAsync(j => j.Id == jobId, cancellationToken);

    /// <summary>
    /// Visit by visit (ix_visits_job_id), each visit's images through IX_images_visit_id: SQLite then
    /// sorts only one visit's images at a time by position, so rows leave as they are read, in
    /// submission order, however large the job.
    /// </summary>
    public IAsyncEnumerable<JobResultRow> ReadResults(long jobId) =>
        (from v in db.Visits.AsNoTracking()
         where v.JobId == jobId
         join i in db.Images.AsNoTracking() on v.Id equals i.VisitId
         join s in db.Stores.AsNoTracking() on v.StoreId equals s.StoreId into stores
         from s in stores.DefaultIfEmpty()
         orderby v.Id, i.Sequence
         select new JobResultRow(
             v.StoreId,
             s == null ? null : s.StoreName,
             s == null ? null : s.AreaCode,
             v.VisitTime,
             i.Url,
             i.State,
             i.Width,
             i.Height,
             i.Perimeter,
             i.Error,
             EF.Property<long?>(i, "bytes"),
             EF.Property<int?>(i, "download_ms"),
             EF.Property<int?>(i, "gpu_ms")))
        .AsAsyncEnumerable();
}
