using FluentValidation;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using KC.Domain.Stores;
using Mediator;

namespace KC.Application.Stores.Queries.GetStoreVisits;

/// <summary>A store's most recent visits, newest first, each with its job and how its images came out.</summary>
public sealed record GetStoreVisitsQuery(string StoreId, int Take = GetStoreVisitsQuery.DefaultTake) : IQuery<IReadOnlyList<StoreVisitOutcome>>
{
    public const int DefaultTake = 25;
    public const int MaxTake = 200;
}

/// <summary>One visit of a store: its job, the job's status, and the visit's own progress (its status follows the job's rule).</summary>
public sealed record StoreVisitOutcome(long JobId, JobStatus JobStatus, DateTimeOffset VisitTime, JobProgress Images)
{
    public JobStatus Status => Images.Status;
}

public sealed class GetStoreVisitsValidator : AbstractValidator<GetStoreVisitsQuery>
{
    public GetStoreVisitsValidator()
    {
        RuleFor(q => q.StoreId)
            .NotEmpty().WithMessage("is required")
            .MaximumLength(Store.MaxIdLength).WithMessage($"must be at most {Store.MaxIdLength} characters")
            .OverridePropertyName("store_id");
        RuleFor(q => q.Take).InclusiveBetween(1, GetStoreVisitsQuery.MaxTake)
            .WithMessage($"must be between 1 and {GetStoreVisitsQuery.MaxTake}").OverridePropertyName("take");
    }
}

public sealed class GetStoreVisitsHandler(IVisitReadModel readModel) : IQueryHandler<GetStoreVisitsQuery, IReadOnlyList<StoreVisitOutcome>>
{
    public async ValueTask<IReadOnlyList<StoreVisitOutcome>> Handle(GetStoreVisitsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await readModel.RecentOfStoreAsync(query.StoreId.Trim(), query.Take, cancellationToken).ConfigureAwait(false);
    }
}
