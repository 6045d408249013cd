using KC.Domain.Common;

namespace KC.Domain.Jobs;

/// <summary>
/// A client's submission: the aggregate root that owns its store visits, which own their images.
/// Its counters are the source of its status, so reading a status never counts images. The
/// aggregate creates jobs; what happens to them afterwards (outcomes, settling, cancelling) is
/// applied set-wise in the store, by the rules in <see cref="JobStatusExtensions"/>,
/// <see cref="JobProgress"/> and <see cref="JobCancellation"/>, never by loading the aggregate.
/// </summary>
public sealed class Job
{
    public const string UnknownStoreError = "unknown store_id";

    private readonly List<StoreVisit> _visits = [];

    private Job()
    {
    }

    public long Id { get; private set; }

    public JobStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public int TotalImages { get; private set; }

    public int SucceededImages { get; private set; }

    public int FailedImages { get; private set; }

    /// <summary>Where the job's final status is POSTed once it settles; null when the client asked for none.</summary>
    public string? CallbackUrl { get; private set; }

    public IReadOnlyCollection<StoreVisit> Visits => _visits.AsReadOnly();

    public JobProgress Progress => JobProgress.Of(Status, TotalImages, SucceededImages, FailedImages);

    /// <summary>
    /// Creates a job from its visits. Images of a visit whose store is unknown settle at once as
    /// failed, without being downloaded; a job made only of such visits is failed from the start.
    /// A <paramref name="callbackUrl"/>, when given, must be an absolute http or https URL.
    /// </summary>
    public static Job Submit(IReadOnlyCollection<NewVisit> visits, Func<string, bool> isKnownStore, DateTimeOffset now, string? callbackUrl = null)
    {
        ArgumentNullException.ThrowIfNull(visits);
        ArgumentNullException.ThrowIfNull(isKnownStore);

        if (visits.Count == 0)
        {
            throw new DomainRuleException(JobRules.JobHasVisits, "A job must have at least one visit.");
        }

        // The same test as an image URL: the callback is fetched by the same guarded HTTP stack.
        if (callbackUrl is not null && !ImageTask.IsAcceptableUrl(callbackUrl))
        {
            throw new DomainRuleException(JobRules.CallbackUrlIsAbsoluteHttp, $"The callback URL '{callbackUrl}' is not an absolute http or https URL.");
        }

        var job = new Job { Status = JobStatus.Ongoing, CreatedAt = now, CallbackUrl = callbackUrl };
        var sequence = 0;
        foreach (var visit in visits)
        {
            ArgumentNullException.ThrowIfNull(visit);
            var storeVisit = StoreVisit.Create(visit, isKnownStore(visit.StoreId?.Trim() ?? string.Empty), sequence, now);
            job._visits.Add(storeVisit);
            sequence += storeVisit.Images.Count;
            job.FailedImages += storeVisit.Images.Count(i => i.State == ImageState.Failed);
        }

        job.TotalImages = sequence;
        if (job.Status.SettlesIn(job.Progress) is { } settled)
        {
            job.Status = settled;
            job.CompletedAt = now;
        }

        return job;
    }

    /// <summary>Gives a newly stored job the id its store assigned. Identity is assigned once.</summary>
    public void AssignId(long id)
    {
        if (id <= 0 || Id != 0)
        {
            throw new DomainRuleException(JobRules.JobIdAssignedOnce, $"Job id {id} cannot replace id {Id}.");
        }

        Id = id;
    }
}
