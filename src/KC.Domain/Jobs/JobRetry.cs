using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>What a client's retry of a job comes to.</summary>
public enum RetryOutcome
{
    /// <summary>The job had failed: its retryable failed images are pending again and the job is ongoing.</summary>
    Requeued,

    /// <summary>
    /// The job had failed, but only images of stores still missing from the master failed: retrying
    /// would fail them again at once, so the job is left failed.
    /// </summary>
    NothingToRetry,

    /// <summary>The job is ongoing, completed or cancelled: only a failed job is retried.</summary>
    Refused,
}

/// <summary>
/// The retry rule. A failed job is the one status a job leaves again: a retry puts its failed
/// images back in the queue, except those of a store the master still does not hold (they would
/// fail with <c>unknown store_id</c> again without a download), and makes the job ongoing, so it
/// settles, and calls its callback, once more. The store applies it set-wise in one transaction
/// (<see cref="Requeues"/> and <see cref="Allows"/> say what it picks) and returns this.
/// </summary>
public readonly record struct JobRetry
{
    private JobRetry(JobStatus found, int requeued)
    {
        if (requeued < 0 || (requeued > 0 && !Allows(found)))
        {
            throw new DomainRuleException(JobRules.OnlyFailedJobsAreRetried, $"A job found {found} cannot have {requeued} images requeued.");
        }

        Found = found;
        Requeued = requeued;
    }

    /// <summary>The status the job was in when the retry reached it.</summary>
    public JobStatus Found { get; }

    /// <summary>The images put back in the queue.</summary>
    public int Requeued { get; }

    public RetryOutcome Outcome => !Allows(Found) ? RetryOutcome.Refused
        : Requeued == 0 ? RetryOutcome.NothingToRetry
        : RetryOutcome.Requeued;

    /// <summary>The job's status once the retry is done: ongoing when images were requeued, otherwise as found.</summary>
    public JobStatus Status => Outcome == RetryOutcome.Requeued ? JobStatus.Ongoing : Found;

    /// <summary>Only a failed job is retried: an ongoing one is still working, and completed and cancelled keep their outcome.</summary>
    public static bool Allows(JobStatus found) => found == JobStatus.Failed;

    /// <summary>
    /// Whether a retry puts an image back in the queue: it failed, and its visit's store is in the
    /// master now (perhaps imported since the submit).
    /// </summary>
    public static bool Requeues(ImageState state, bool storeInMaster) => state == ImageState.Failed && storeInMaster;

    /// <summary>What retrying a job found in <paramref name="found"/> comes to, with <paramref name="requeued"/> images put back.</summary>
    public static JobRetry Of(JobStatus found, int requeued = 0) => new(found, requeued);
}
