using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Queue;

/// <summary>
/// Counts the queue without counting images one by one: the images not yet settled are what the
/// unsettled jobs' counters say is left (ix_jobs_status_id), less those leased now (the partial
/// index ix_images_processing_owner, as many as the nodes hold); the oldest waiting job is the
/// first unsettled job that still has a pending image (ix_images_job_state_seq). The counts are
/// kept for <see cref="CacheFor"/>, so scrapes and dashboards read the database at most that often.
/// </summary>
internal sealed class QueueReadModel(IDbContextFactory<KcDbContext> contexts, TimeProvider clock) : IQueueReadModel, IDisposable
{
    /// <summary>How long one count answers every caller.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _counting = new(1, 1);
    private volatile QueueCounts? _last;

    public async Task<QueueCounts> CountAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_last) is { } cached)
        {
            return cached;
        }

        // One count at a time: callers that arrive meanwhile take its result.
        await _counting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_last) is { } counted)
            {
                return counted;
            }

            var counts = await ReadAsync(cancellationToken).ConfigureAwait(false);
            _last = counts;
            return counts;
        }
        finally
        {
            _counting.Release();
        }
    }

    public void Dispose() => _counting.Dispose();

    private QueueCounts? Fresh(QueueCounts? counts) =>
        counts is not null && clock.GetUtcNow() - counts.CountedAt < CacheFor ? counts : null;

    private async Task<QueueCounts> ReadAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var ongoing = db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Ongoing);

        var unsettled = await ongoing
            .SumAsync(j => (long)(j.TotalImages - j.SucceededImages - j.FailedImages), cancellationToken)
            .ConfigureAwait(false);
        var processing = await db.Images.AsNoTracking()
            .LongCountAsync(i => i.State == ImageState.Processing, cancellationToken)
            .ConfigureAwait(false);

        // Ids grow with submit time, so the first such job in id order is the one waiting longest.
        var oldest = await ongoing
            .Where(j => db.Images.Any(i => i.JobId == j.Id && i.State == ImageState.Pending))
            .OrderBy(j => j.Id)
            .Select(j => (DateTimeOffset?)j.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);

        return new QueueCounts(Math.Max(0, unsettled - processing), processing, oldest, now);
    }
}
