using KC.Application.Common.Interfaces;
using KC.Application.Jobs;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>The read side: projections straight from the tables, never loading an aggregate.</summary>
internal sealed class JobReadModel(KcDbContext db) : IJobReadModel
{
    public async Task<JobStatusView?> GetStatusAsync(long jobId, CancellationToken cancellationToken)
    {
        // The counters make this one primary-key read; failures are read only for a failed job.
        var job = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId)
            .Select(j => new { j.Status, j.TotalImages, j.SucceededImages, j.FailedImages })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var errors = job.Status == JobStatus.Failed
            ? await GetErrorsAsync(jobId, cancellationToken).ConfigureAwait(false)
            : [];
        return new JobStatusView(jobId, job.Status, JobProgress.Of(job.Status, job.TotalImages, job.SucceededImages, job.FailedImages), errors);
    }

    public async Task<JobSummaryView?> GetSummaryAsync(long jobId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId)
            .Select(j => new { j.Status, j.CreatedAt, j.CompletedAt, j.TotalImages, j.SucceededImages, j.FailedImages })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        return job is null
            ? null
            : new JobSummaryView(jobId, job.Status, job.CreatedAt, job.CompletedAt, JobProgress.Of(job.Status, job.TotalImages, job.SucceededImages, job.FailedImages));
    }

    public async Task<JobDetailsView?> GetDetailsAsync(long jobId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId)
            .Select(j => new { j.Status, j.CreatedAt, j.CompletedAt, j.TotalImages, j.SucceededImages, j.FailedImages, j.CallbackUrl })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var visits = await (
                from v in db.Visits.AsNoTracking()
                where v.JobId == jobId
                join s in db.Stores.AsNoTracking() on v.StoreId equals s.StoreId into stores
                from s in stores.DefaultIfEmpty()
                orderby v.Id
                select new { v.Id, v.StoreId, StoreName = s == null ? null : s.StoreName, AreaCode = s == null ? null : s.AreaCode, v.VisitTime })
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);

        var imagesByVisit = await ImageViews.ByVisitAsync(db.Images.AsNoTracking().Where(i => i.JobId == jobId), cancellationToken).ConfigureAwait(false);

        var visitViews = visits
            .Select(v =>
            {
                var visitImages = imagesByVisit[v.Id].ToList();
                return new VisitView(v.StoreId, v.StoreName, v.AreaCode, v.VisitTime, VisitStatus(visitImages), visitImages);
            })
            .ToList();

        var errors = job.Status == JobStatus.Failed
            ? await GetErrorsAsync(jobId, cancellationToken).ConfigureAwait(false)
            : [];
        return new JobDetailsView(
            jobId,
            job.Status,
            job.CreatedAt,
            job.CompletedAt,
            JobProgress.Of(job.Status, job.TotalImages, job.SucceededImages, job.FailedImages),
            visitViews,
            errors)
        {
            Callback = await CallbackReads.GetAsync(db, jobId, job.CallbackUrl, cancellationToken).ConfigureAwait(false),
        };
    }

    // The job's rule applied to the visit's own images: cancellation wins, then ongoing until all settle.
    private static JobStatus VisitStatus(List<ImageView> images) => JobProgress.OfImages(images.Select(i => i.State)).Status;

    private async Task<IReadOnlyList<StoreError>> GetErrorsAsync(long jobId, CancellationToken cancellationToken)
    {
        var failures = await (
                from i in db.Images.AsNoTracking()
                join v in db.Visits.AsNoTracking() on i.VisitId equals v.Id
                where i.JobId == jobId && i.State == ImageState.Failed
                orderby i.Sequence
                select new FailedImage(v.StoreId, v.StoreKnown, i.Url, i.Error ?? string.Empty))
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return StoreErrorSummary.Summarize(failures);
    }
}
