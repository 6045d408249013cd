namespace KC.Domain.Jobs;

/// <summary>The life of a job. Stored as its integer value; never renumber.</summary>
public enum JobStatus
{
    Ongoing = 0,
    Completed = 1,
    Failed = 2,

    /// <summary>Stopped by the client before every image settled; final, like completed and failed.</summary>
    Cancelled = 3,
}

/// <summary>
/// The settling rules, shared by the aggregate at submit, the set-wise SQL that settles and
/// cancels jobs (Infrastructure's <c>JobSettlement</c>), retention and the read side.
/// </summary>
public static class JobStatusExtensions
{
    /// <summary>
    /// Completed, failed and cancelled are final: a job settles in one of them once, and its
    /// completion callback is due from then on. Only an ongoing job still has work. The one way
    /// back is a retry of a failed job (<see cref="JobRetry"/>), after which it settles once more.
    /// </summary>
    public static bool IsFinal(this JobStatus status) => status is not JobStatus.Ongoing;

    /// <summary>
    /// The final status a job stored as <paramref name="current"/> settles in now that its counters
    /// read <paramref name="progress"/> (see <see cref="JobProgress.Status"/>); null when it stays as
    /// it is, because its counters still leave images pending or because it has settled already: a
    /// job settles once.
    /// </summary>
    public static JobStatus? SettlesIn(this JobStatus current, JobProgress progress) =>
        !current.IsFinal() && progress.Status.IsFinal() ? progress.Status : null;
}
