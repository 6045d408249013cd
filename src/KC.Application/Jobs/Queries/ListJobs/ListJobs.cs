using FluentValidation;
using KC.Application.Common;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Queries.ListJobs;

/// <summary>Jobs newest first, optionally of one status, one page at a time.</summary>
public sealed record ListJobsQuery(string? Status = null, long? Page = null, long? PageSize = null)
    : IQuery<ResultPage<JobSummaryView>>, IPagedQuery;

public sealed class ListJobsValidator : AbstractValidator<ListJobsQuery>
{
    public ListJobsValidator()
    {
        RuleFor(q => q.Status)
            .Must(status => status is null || StatusWords.TryParse(status, out _))
            .WithMessage($"must be one of {StatusWords.ListJobStatuses()}")
            .OverridePropertyName("status");
        this.AddPagingRules();
    }
}

public sealed class ListJobsHandler(IJobListReadModel readModel) : IQueryHandler<ListJobsQuery, ResultPage<JobSummaryView>>
{
    public async ValueTask<ResultPage<JobSummaryView>> Handle(ListJobsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        JobStatus? status = query.Status is not null && StatusWords.TryParse(query.Status, out var parsed) ? parsed : null;
        return await readModel.ListAsync(status, PageRequest.From(query), cancellationToken).ConfigureAwait(false);
    }
}
