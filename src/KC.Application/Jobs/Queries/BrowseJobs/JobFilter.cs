using FluentValidation;
using KC.Application.Common;
using KC.Application.Visits.Queries.SearchVisits;
using KC.Domain.Jobs;
using KC.Domain.Stores;

namespace KC.Application.Jobs.Queries.BrowseJobs;

/// <summary>
/// Which jobs a list shows, as a person types it: each member optional, dates as RFC 3339
/// timestamps or plain dates (a whole UTC day, both ends inclusive). The dashboard's filters.
/// </summary>
public sealed record JobFilterText(
    string? Status = null,
    string? StoreId = null,
    string? Area = null,
    string? From = null,
    string? To = null,
    long? JobId = null)
{
    /// <summary>The filter as the read side takes it; call on a validated filter.</summary>
    public JobFilter Read() => new(
        Status is { Length: > 0 } status && StatusWords.TryParse(status, out var parsed) ? parsed : null,
        NullIfBlank(StoreId),
        NullIfBlank(Area),
        From is { Length: > 0 } from && VisitTimeBounds.TryParseStart(from, out var start) ? start : null,
        To is { Length: > 0 } to && VisitTimeBounds.TryParseEnd(to, out var end) ? end : null,
        JobId);

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>
/// Jobs of <see cref="Status"/>, with a visit to <see cref="StoreId"/>, with a visit to a store of
/// area <see cref="AreaCode"/>, created from <see cref="CreatedFrom"/> (inclusive) to
/// <see cref="CreatedBefore"/> (exclusive), or the one job <see cref="JobId"/>; a null member does not filter.
/// </summary>
public sealed record JobFilter(
    JobStatus? Status = null,
    string? StoreId = null,
    string? AreaCode = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedBefore = null,
    long? JobId = null)
{
    /// <summary>This filter narrowed to one status (the jobs a bulk action can apply to); null when it asks for another status, so nothing matches.</summary>
    public JobFilter? OnlyWith(JobStatus status) => Status is null || Status == status ? this with { Status = status } : null;
}

public static class JobFilterRules
{
    /// <summary>The rules every filtered job list shares, naming the query parameters as the dashboard spells them.</summary>
    public static void AddJobFilterRules<T>(this AbstractValidator<T> validator, Func<T, JobFilterText> filter)
    {
        ArgumentNullException.ThrowIfNull(validator);
        validator.RuleFor(q => filter(q).Status)
            .Must(status => string.IsNullOrEmpty(status) || StatusWords.TryParse(status, out _))
            .WithMessage($"must be one of {StatusWords.ListJobStatuses()}")
            .OverridePropertyName("status");
        validator.RuleFor(q => filter(q).StoreId)
            .MaximumLength(Store.MaxIdLength).WithMessage($"must be at most {Store.MaxIdLength} characters")
            .OverridePropertyName("store");
        validator.RuleFor(q => filter(q).Area)
            .MaximumLength(Store.MaxAreaCodeLength).WithMessage($"must be at most {Store.MaxAreaCodeLength} characters")
            .OverridePropertyName("area");
        validator.RuleFor(q => filter(q).From)
            .Must(text => string.IsNullOrEmpty(text) || VisitTimeBounds.TryParseStart(text, out _)).WithMessage(VisitTimeBounds.Expected)
            .OverridePropertyName("from");
        validator.RuleFor(q => filter(q).To)
            .Must(text => string.IsNullOrEmpty(text) || VisitTimeBounds.TryParseEnd(text, out _)).WithMessage(VisitTimeBounds.Expected)
            .OverridePropertyName("to");
        validator.RuleFor(q => filter(q))
            .Must(f => StartsBeforeItEnds(f.From, f.To)).WithMessage("must not be after to")
            .OverridePropertyName("from");
        validator.RuleFor(q => filter(q).JobId)
            .GreaterThan(0).WithMessage("must be a positive integer")
            .OverridePropertyName("job");
    }

    private static bool StartsBeforeItEnds(string? from, string? to) =>
        string.IsNullOrEmpty(from) || string.IsNullOrEmpty(to)
        || !VisitTimeBounds.TryParseStart(from, out var start)
        || !VisitTimeBounds.TryParseEnd(to, out var before)
        || before is null
        || start < before;
}
