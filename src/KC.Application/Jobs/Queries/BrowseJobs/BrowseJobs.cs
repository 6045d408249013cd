using FluentValidation;
using KC.Application.Common.Interfaces;
using Mediator;

namespace KC.Application.Jobs.Queries.BrowseJobs;

/// <summary>
/// Jobs newest first, filtered, a page at a time by keyset: <see cref="OlderThan"/> asks for the
/// page of jobs below that id, <see cref="NewerThan"/> for the page just above it, neither for the
/// newest page. Each page costs the same however deep it is, unlike an offset.
/// </summary>
public sealed record BrowseJobsQuery(JobFilterText Filter, long? OlderThan = null, long? NewerThan = null, int PageSize = BrowseJobsQuery.DefaultPageSize)
    : IQuery<JobBrowsePage>
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
}

/// <param name="OlderThan">The cursor of the next (older) page, null on the last one.</param>
/// <param name="NewerThan">The cursor of the previous (newer) page, null on the first one.</param>
public sealed record JobBrowsePage(IReadOnlyList<JobSummaryView> Items, long? OlderThan, long? NewerThan);

public sealed class BrowseJobsValidator : AbstractValidator<BrowseJobsQuery>
{
    public BrowseJobsValidator()
    {
        this.AddJobFilterRules(q => q.Filter);
        RuleFor(q => q.OlderThan).GreaterThan(0).WithMessage("must be a positive integer").OverridePropertyName("older_than");
        RuleFor(q => q.NewerThan).GreaterThanOrEqualTo(0).WithMessage("must not be negative").OverridePropertyName("newer_than");
        RuleFor(q => q.PageSize).InclusiveBetween(1, BrowseJobsQuery.MaxPageSize)
            .WithMessage($"must be between 1 and {BrowseJobsQuery.MaxPageSize}").OverridePropertyName("page_size");
    }
}

public sealed class BrowseJobsHandler(IJobListReadModel readModel) : IQueryHandler<BrowseJobsQuery, JobBrowsePage>
{
    public async ValueTask<JobBrowsePage> Handle(BrowseJobsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = query.Filter.Read();

        // One row more than the page tells whether there is a page beyond it, without a count.
        if (query.NewerThan is { } newerThan && query.OlderThan is null)
        {
            var above = await readModel.BrowseAsync(filter, newerThan, newer: true, query.PageSize + 1, cancellationToken).ConfigureAwait(false);
            if (above.Count <= query.PageSize)
            {
                // Less than a page above: that is the newest page, shown whole.
                return await Handle(query with { NewerThan = null }, cancellationToken).ConfigureAwait(false);
            }

            var page = above.Take(query.PageSize).Reverse().ToList();
            return new JobBrowsePage(page, page[^1].JobId, page[0].JobId);
        }

        var below = await readModel.BrowseAsync(filter, query.OlderThan, newer: false, query.PageSize + 1, cancellationToken).ConfigureAwait(false);
        var items = below.Take(query.PageSize).ToList();
        var older = below.Count > query.PageSize ? items[^1].JobId : (long?)null;
        var newer = query.OlderThan is not null && items.Count > 0 ? items[0].JobId : (long?)null;
        return new JobBrowsePage(items, older, newer);
    }
}
