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
