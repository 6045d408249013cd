using KC.Application.Common.Interfaces;
using KC.Application.Jobs;
using KC.Domain.Jobs;
using KC.Infrastructure.Persistence.Configurations;
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
            .Select(j => new { j.Status, j.TotalImages, j.SucceededImages, j.FailedImages, Errors = EF.Property<string?>(j, JobConfiguration.FailureSummaryColumn) })
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        var errors = job.Status == JobStatus.Failed
            ? await GetErrorsAsync(jobId, job.Errors, cancellationToken).ConfigureAwait(false)
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

    public Task<JobDetailsView?> GetDetailsAsync(long jobId, CancellationToken cancellationToken) =>
        ReadAsync(jobId, maxImages: null, cancellationToken);

    public Task<JobDetailsView?> GetPageAsync(long jobId, int maxImages, CancellationToken cancellationToken) =>
        ReadAsync(jobId, maxImages, cancellationToken);

    /// <summary>The job with every visit; every image, or with <paramref name="maxImages"/> the page's share of them.</summary>
    private async Task<JobDetailsView?> ReadAsync(long jobId, int? maxImages, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == jobId)
            .Select(j => new { j.Status, j.CreatedAt, j.CompletedAt, j.TotalImages, j.SucceededImages, j.FailedImages, j.CallbackUrl, Errors = EF.Property<string?>(j, JobConfiguration.FailureSummaryColumn) })
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
                select new VisitRow(v.Id, v.StoreId, s == null ? null : s.StoreName, s == null ? null : s.AreaCode, v.VisitTime))
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);

        var visitViews = maxImages is { } max
            ? await ReadPageVisitsAsync(jobId, visits, max, cancellationToken).ConfigureAwait(false)
            : await ReadAllVisitsAsync(jobId, visits, cancellationToken).ConfigureAwait(false);

        var errors = job.Status == JobStatus.Failed
            ? await GetErrorsAsync(jobId, job.Errors, cancellationToken).ConfigureAwait(false)
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

    private async Task<List<VisitView>> ReadAllVisitsAsync(long jobId, List<VisitRow> visits, CancellationToken cancellationToken)
    {
        var imagesByVisit = await ImageViews.ByVisitAsync(db.Images.AsNoTracking().Where(i => i.JobId == jobId), cancellationToken).ConfigureAwait(false);
        return visits
            .Select(v =>
            {
                var images = imagesByVisit[v.Id].ToList();
                return v.ToView(JobProgress.OfImages(images.Select(i => i.State)), images);
            })
            .ToList();
    }

    /// <summary>
    /// Each visit's status and size from its images counted by state, then the images of the page's
    /// first visits only: those of every visit that fits whole, and the first of the one it ends in.
    /// </summary>
    private async Task<List<VisitView>> ReadPageVisitsAsync(long jobId, List<VisitRow> visits, int maxImages, CancellationToken cancellationToken)
    {
        var counts = (await db.Images.AsNoTracking()
                .Where(i => i.JobId == jobId)
                .GroupBy(i => new { i.VisitId, i.State })
                .Select(g => new { g.Key.VisitId, g.Key.State, Count = g.Count() })
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false))
            .ToLookup(c => c.VisitId, c => (c.State, c.Count));

        // Failing visits first, each group in submission order (OrderBy is stable).
        var ordered = visits
            .Select(v => (Visit: v, Progress: JobProgress.OfCounts(counts[v.Id])))
            .OrderBy(v => v.Progress.Status == JobStatus.Failed ? 0 : 1)
            .ToList();

        var whole = new List<long>();
        (long VisitId, int Images)? partial = null;
        var left = maxImages;
        foreach (var (visit, progress) in ordered)
        {
            if (left == 0)
            {
                break;
            }

            if (progress.Total <= left)
            {
                whole.Add(visit.Id);
                left -= progress.Total;
            }
            else
            {
                partial = (visit.Id, left);
                left = 0;
            }
        }

        var images = await ImageViews.ByVisitAsync(db.Images.AsNoTracking().Where(i => i.JobId == jobId && whole.Contains(i.VisitId)), cancellationToken).ConfigureAwait(false);
        var firstOfPartial = partial is { } last
            ? await ImageViews.ByVisitAsync(db.Images.AsNoTracking().Where(i => i.VisitId == last.VisitId).OrderBy(i => i.Sequence).Take(last.Images), cancellationToken).ConfigureAwait(false)
            : null;
        return ordered
            .Select(v => v.Visit.ToView(v.Progress, [.. images[v.Visit.Id], .. firstOfPartial?[v.Visit.Id] ?? []]))
            .ToList();
    }

    /// <summary>A failed job's error list: the one kept when it settled, or, for a job failed before lists were kept, made from its images.</summary>
    private async Task<IReadOnlyList<StoreError>> GetErrorsAsync(long jobId, string? stored, CancellationToken cancellationToken)
    {
        if (stored is not null)
        {
            return FailureSummaries.Read(stored);
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await FailureSummaries.SummarizeAsync(db.Database.GetDbConnection(), transaction: null, jobId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A visit as stored, with its store's name and area when the store master has it.</summary>
    private sealed record VisitRow(long Id, string StoreId, string? StoreName, string? AreaCode, DateTimeOffset VisitTime)
    {
        /// <summary>
        /// The visit's view: its status and image count from its images' <paramref name="progress"/>
        /// (the job's rule applied to them), listing <paramref name="images"/>, all of them or the first.
        /// </summary>
        public VisitView ToView(JobProgress progress, List<ImageView> images) =>
            new(StoreId, StoreName, AreaCode, VisitTime, progress.Status, images) { ImageCount = progress.Total };
    }
}
