using FluentValidation;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Domain.Stores;
using Mediator;

namespace KC.Application.Visits.Queries.SearchVisits;

/// <summary>
/// The Retail Pulse visits query: visits of every job with their image results, filtered by the
/// store's area code, the store id and a visit-time range, by visit time then visit id.
/// Dates arrive as the client wrote them and are read by <see cref="VisitTimeBounds"/>.
/// </summary>
public sealed record SearchVisitsQuery(
    string? Area = null,
    string? StoreId = null,
    string? StartDate = null,
    string? EndDate = null,
    long? Page = null,
    long? PageSize = null) : IQuery<ResultPage<VisitResultView>>, IPagedQuery;

public sealed class SearchVisitsValidator : AbstractValidator<SearchVisitsQuery>
{
    public SearchVisitsValidator()
    {
        RuleFor(q => q.Area)
            .MaximumLength(Store.MaxAreaCodeLength).WithMessage($"must be at most {Store.MaxAreaCodeLength} characters")
            .OverridePropertyName("area");
        RuleFor(q => q.StoreId)
            .MaximumLength(Store.MaxIdLength).WithMessage($"must be at most {Store.MaxIdLength} characters")
            .OverridePropertyName("storeid");
        RuleFor(q => q.StartDate)
            .Must(text => text is null || VisitTimeBounds.TryParseStart(text, out _)).WithMessage(VisitTimeBounds.Expected)
            .OverridePropertyName("startdate");
        RuleFor(q => q.EndDate)
            .Must(text => text is null || VisitTimeBounds.TryParseEnd(text, out _)).WithMessage(VisitTimeBounds.Expected)
            .OverridePropertyName("enddate");
        RuleFor(q => q)
            .Must(q => StartsBeforeItEnds(q.StartDate!, q.EndDate!)).WithMessage("must not be after enddate")
            .OverridePropertyName("startdate")
            .When(q => q.StartDate is not null && q.EndDate is not null);
        this.AddPagingRules();
    }

    // Unreadable dates are reported by their own rules; this one judges only two readable ones.
    private static bool StartsBeforeItEnds(string startDate, string endDate) =>
        !VisitTimeBounds.TryParseStart(startDate, out var from)
        || !VisitTimeBounds.TryParseEnd(endDate, out var before)
        || before is null
        || from < before;
}

public sealed class SearchVisitsHandler(IVisitReadModel readModel) : IQueryHandler<SearchVisitsQuery, ResultPage<VisitResultView>>
{
    public async ValueTask<ResultPage<VisitResultView>> Handle(SearchVisitsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // The validator has read both dates already; an absent one leaves its end of the range open.
        DateTimeOffset? from = query.StartDate is not null && VisitTimeBounds.TryParseStart(query.StartDate, out var start) ? start : null;
        DateTimeOffset? before = query.EndDate is not null && VisitTimeBounds.TryParseEnd(query.EndDate, out var end) ? end : null;

        // Store ids are trimmed on submit, so a search for one is trimmed too.
        var search = new VisitSearch(NullIfBlank(query.Area), NullIfBlank(query.StoreId), from, before);
        return await readModel.SearchAsync(search, PageRequest.From(query), cancellationToken).ConfigureAwait(false);
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
