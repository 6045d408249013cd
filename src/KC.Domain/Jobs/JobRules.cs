namespace KC.Domain.Jobs;

/// <summary>The names of the rules the Job aggregate enforces.</summary>
public static class JobRules
{
    public const string JobHasVisits = nameof(JobHasVisits);
    public const string VisitHasStore = nameof(VisitHasStore);
    public const string VisitHasImages = nameof(VisitHasImages);
    public const string ImageUrlIsAbsoluteHttp = nameof(ImageUrlIsAbsoluteHttp);
    public const string ImageSettlesOnce = nameof(ImageSettlesOnce);
    public const string ImageBelongsToJob = nameof(ImageBelongsToJob);
    public const string ImageSizeIsPositive = nameof(ImageSizeIsPositive);
    public const string JobSettlesOnce = nameof(JobSettlesOnce);
    public const string OnlyOngoingJobCancels = nameof(OnlyOngoingJobCancels);
    public const string JobIdAssignedOnce = nameof(JobIdAssignedOnce);
    public const string ProgressIsConsistent = nameof(ProgressIsConsistent);
    public const string CallbackUrlIsAbsoluteHttp = nameof(CallbackUrlIsAbsoluteHttp);
}
