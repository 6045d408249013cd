using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>
/// The counters of a job and the rule that turns them into a status. The aggregate uses it, and so
/// does the work queue when it records outcomes set-wise without loading the aggregate.
/// </summary>
public readonly record struct JobProgress
{
    public JobProgress(int total, int succeeded, int failed)
    {
        if (total < 0 || succeeded < 0 || failed < 0 || (long)succeeded + failed > total)
        {
            throw new DomainRuleException(
                JobRules.ProgressIsConsistent,
                $"Inconsistent job progress: total {total}, succeeded {succeeded}, failed {failed}.");
        }

        Total = total;
        Succeeded = succeeded;
        Failed = failed;
    }

    public int Total { get; }

    public int Succeeded { get; }

    public int Failed { get; }

    public int Pending => Total - Succeeded - Failed;

    public bool IsSettled => Pending == 0;

    /// <summary>
    /// A job stays ongoing until every image has settled, even after its first failure; then it is
    /// completed when every image succeeded and failed otherwise.
    /// </summary>
    public JobStatus Status => !IsSettled ? JobStatus.Ongoing
        : Failed == 0 ? JobStatus.Completed
        : JobStatus.Failed;

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

    public JobProgress WithSucceeded(int count) => new(Total, Succeeded + count, Failed);

    public JobProgress WithFailed(int count) => new(Total, Succeeded, Failed + count);
}
