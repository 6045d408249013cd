namespace KC.Domain.Jobs;

/// <summary>The names of the rules a <see cref="Common.DomainRuleException"/> reports as broken, so callers and tests can tell which.</summary>
public static class JobRules
{
    public const string JobHasVisits = nameof(JobHasVisits);
    public const string VisitHasStore = nameof(VisitHasStore);
    public const string VisitHasImages = nameof(VisitHasImages);
    public const string ImageUrlIsAbsoluteHttp = nameof(ImageUrlIsAbsoluteHttp);
    public const string ImageSizeIsPositive = nameof(ImageSizeIsPositive);
    public const string JobIdAssignedOnce = nameof(JobIdAssignedOnce);
    public const string ProgressIsConsistent = nameof(ProgressIsConsistent);
    public const string CallbackUrlIsAbsoluteHttp = nameof(CallbackUrlIsAbsoluteHttp);
    public const string OnlyFailedJobsAreRetried = nameof(OnlyFailedJobsAreRetried);
}
