using System.Collections.Frozen;
using FluentValidation;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Queries.ListJobs;

/// <summary>Jobs newest first, optionally of one status, one page at a time.</summary>
public sealed record ListJobsQuery(string? Status = null, long? Page = null, long? PageSize = null)
    : IQuery<ResultPage<JobSummaryView>>, IPagedQuery
{
    /// <summary>The status words of the wire contract, in the order error sentences list them.</summary>
    internal static readonly (string Word, JobStatus Status)[] StatusWords =
    [
        ("ongoing", JobStatus.Ongoing),
        ("completed", JobStatus.Completed),
        ("failed", JobStatus.Failed),
        ("cancelled", JobStatus.Cancelled),
    ];

    internal static readonly FrozenDictionary<string, JobStatus> StatusByWord =
        StatusWords.ToFrozenDictionary(s => s.Word, s => s.Status, StringComparer.Ordinal);
}

public sealed class ListJobsValidator : AbstractValidator<ListJobsQuery>
{
    public ListJobsValidator()
    {
        RuleFor(q => q.Status)
            .Must(status => status is null || ListJobsQuery.StatusByWord.ContainsKey(status))
            .WithMessage($"must be one of {string.Join(", ", ListJobsQuery.StatusWords.Select(s => s.Word))}")
            .OverridePropertyName("status");
        this.AddPagingRules();
    }
}

public sealed class ListJobsHandler(IJobListReadModel readModel) : IQueryHandler<ListJobsQuery, ResultPage<JobSummaryView>>
{
    public async ValueTask<ResultPage<JobSummaryView>> Handle(ListJobsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        JobStatus? status = query.Status is null ? null : ListJobsQuery.StatusByWord[query.Status];
        return await readModel.ListAsync(status, PageRequest.From(query), cancellationToken).ConfigureAwait(false);
    }
}
