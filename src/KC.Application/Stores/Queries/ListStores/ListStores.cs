using FluentValidation;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Domain.Stores;
using Mediator;

namespace KC.Application.Stores.Queries.ListStores;

/// <summary>Stores of the master by store id, optionally of one area and with a name containing <see cref="Q"/>.</summary>
public sealed record ListStoresQuery(string? Area = null, string? Q = null, long? Page = null, long? PageSize = null)
    : IQuery<ResultPage<StoreView>>, IPagedQuery;

public sealed class ListStoresValidator : AbstractValidator<ListStoresQuery>
{
    public ListStoresValidator()
    {
        RuleFor(q => q.Area)
            .MaximumLength(Store.MaxAreaCodeLength).WithMessage($"must be at most {Store.MaxAreaCodeLength} characters")
            .OverridePropertyName("area");
        RuleFor(q => q.Q)
            .MaximumLength(Store.MaxNameLength).WithMessage($"must be at most {Store.MaxNameLength} characters")
            .OverridePropertyName("q");
        this.AddPagingRules();
    }
}

public sealed class ListStoresHandler(IStoreReadModel readModel) : IQueryHandler<ListStoresQuery, ResultPage<StoreView>>
{
    public async ValueTask<ResultPage<StoreView>> Handle(ListStoresQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        // The master's names and area codes are stored trimmed, so the filters are trimmed too.
        var area = string.IsNullOrWhiteSpace(query.Area) ? null : query.Area.Trim();
        var name = string.IsNullOrWhiteSpace(query.Q) ? null : query.Q.Trim();
        return await readModel.ListAsync(area, name, PageRequest.From(query), cancellationToken).ConfigureAwait(false);
    }
}
