using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>
/// The counters of a job (or of one visit's images) and the rule that turns them into a status.
/// The aggregate uses it at submit, and so do the work queue and the job settlement, when they
/// record outcomes and settle jobs set-wise without loading the aggregate, and the read models.
/// The four counts always add up to the total.
/// </summary>
public readonly record struct JobProgress
{
    public JobProgress(int total, int succeeded, int failed, int cancelled = 0)
    {
        if (total < 0 || succeeded < 0 || failed < 0 || cancelled < 0 || (long)succeeded + failed + cancelled > total)
        {
            throw new DomainRuleException(
                JobRules.ProgressIsConsistent,
                $"Inconsistent job progress: total {total}, succeeded {succeeded}, failed {failed}, cancelled {cancelled}.");
        }

        Total = total;
        Succeeded = succeeded;
        Failed = failed;
        Cancelled = cancelled;
    }

    public int Total { get; }

    public int Succeeded { get; }

    public int Failed { get; }

    public int Cancelled { get; }

    public int Pending => Total - Succeeded - Failed - Cancelled;

    public bool IsSettled => Pending == 0;

    /// <summary>
    /// Cancellation wins: a job or visit with a cancelled image is cancelled. Otherwise it stays
    /// ongoing until every image has settled, even after its first failure; then it is completed
    /// when every image succeeded and failed otherwise.
    /// </summary>
    public JobStatus Status => Cancelled > 0 ? JobStatus.Cancelled
        : !IsSettled ? JobStatus.Ongoing
        : Failed == 0 ? JobStatus.Completed
        : JobStatus.Failed;

    /// <summary>
    /// The progress of a job stored with <paramref name="status"/> and these counters. Only the
    /// succeeded and failed counters are kept: cancelling a job cancels every image of it that had
    /// not settled, and no outcome is recorded after that, so the rest of a cancelled job is cancelled.
    /// </summary>
    public static JobProgress Of(JobStatus status, int total, int succeeded, int failed) =>
        new(total, succeeded, failed, status == JobStatus.Cancelled ? total - succeeded - failed : 0);

    /// <summary>The progress of a set of images (a visit's) counted from their states; pending and processing images are pending.</summary>
    public static JobProgress OfImages(IEnumerable<ImageState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        return OfCounts(states.Select(state => (state, 1)));
    }

    /// <summary>The same from how many images are in each state, as a database counts them.</summary>
    public static JobProgress OfCounts(IEnumerable<(ImageState State, int Count)> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int total = 0, succeeded = 0, failed = 0, cancelled = 0;
        foreach (var (state, count) in counts)
        {
            total += count;
            if (state == ImageState.Succeeded)
            {
                succeeded += count;
            }
            else if (state == ImageState.Failed)
            {
                failed += count;
            }
            else if (state == ImageState.Cancelled)
            {
                cancelled += count;
            }
        }

        return new JobProgress(total, succeeded, failed, cancelled);
    }

    /// <summary>
    /// When the job should settle if it keeps the rate it has shown since <paramref name="startedAt"/>;
    /// null once settled, or before any image has settled (no rate to go by).
    /// </summary>
    public DateTimeOffset? EstimateCompletion(DateTimeOffset startedAt, DateTimeOffset now)
    {
        var settled = Succeeded + Failed;
        var elapsed = now - startedAt;
        if (IsSettled || settled == 0 || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        return now + (elapsed * ((double)Pending / settled));
    }

    public JobProgress WithSucceeded(int count) => new(Total, Succeeded + count, Failed, Cancelled);

    public JobProgress WithFailed(int count) => new(Total, Succeeded, Failed + count, Cancelled);
}
