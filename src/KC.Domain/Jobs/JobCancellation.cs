namespace KC.Domain.Jobs;

/// <summary>What a client's cancel of a job comes to.</summary>
public enum CancelOutcome
{
    /// <summary>The job was not final: it is cancelled now, with every image of it not yet settled.</summary>
    CancelledNow,

    /// <summary>An earlier cancel stopped it: cancelling again changes nothing and answers the same.</summary>
    AlreadyCancelled,

    /// <summary>It completed or failed first: a finished job keeps its outcome.</summary>
    Refused,
}

/// <summary>
/// The cancel rule, decided by the status the job is in when the cancel reaches it. The store
/// applies it set-wise (one guarded statement, so a cancel racing the job's last outcome settles
/// the job once either way) and returns this; the handler answers from it.
/// </summary>
public readonly record struct JobCancellation
{
    private JobCancellation(JobStatus found)
    {
        Found = found;
    }

    /// <summary>The status the job was in when the cancel reached it.</summary>
    public JobStatus Found { get; }

    public CancelOutcome Outcome => !Found.IsFinal() ? CancelOutcome.CancelledNow
        : Found == JobStatus.Cancelled ? CancelOutcome.AlreadyCancelled
        : CancelOutcome.Refused;

    /// <summary>The job's status once the cancel is done: cancelled, unless the cancel was refused.</summary>
    public JobStatus Status => Outcome == CancelOutcome.Refused ? Found : JobStatus.Cancelled;

    /// <summary>What cancelling a job found in <paramref name="status"/> comes to.</summary>
    public static JobCancellation Of(JobStatus status) => new(status);
}
