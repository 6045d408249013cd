using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Domain.Stores;
using Mediator;

namespace KC.Application.Stores.Queries.GetStore;

/// <summary>One store of the master, by its exact id.</summary>
public sealed record GetStoreQuery(string StoreId) : IQuery<StoreView>;

public sealed class GetStoreValidator : AbstractValidator<GetStoreQuery>
{
    public GetStoreValidator()
    {
        RuleFor(q => q.StoreId)
            .NotEmpty().WithMessage("is required")
            .MaximumLength(Store.MaxIdLength).WithMessage($"must be at most {Store.MaxIdLength} characters")
            .OverridePropertyName("store_id");
    }
}

public sealed class GetStoreHandler(IStoreReadModel readModel) : IQueryHandler<GetStoreQuery, StoreView>
{
    public async ValueTask<StoreView> Handle(GetStoreQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await readModel.FindAsync(query.StoreId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Store", query.StoreId);
    }
}
