using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Queries.GetJobProgress;

/// <summary>A job's status, counters and estimated completion: what a page following a running job refreshes, one primary-key read.</summary>
public sealed record GetJobProgressQuery(long JobId) : IQuery<JobProgressView>;

/// <param name="EstimatedCompletionAt">While ongoing, when it should settle at the rate it has shown; null otherwise.</param>
public sealed record JobProgressView(JobSummaryView Job, DateTimeOffset? EstimatedCompletionAt);

public sealed class GetJobProgressValidator : AbstractValidator<GetJobProgressQuery>
{
    public GetJobProgressValidator()
    {
        RuleFor(q => q.JobId).MustBeAnId("job_id");
    }
}

public sealed class GetJobProgressHandler(IJobReadModel readModel, TimeProvider clock) : IQueryHandler<GetJobProgressQuery, JobProgressView>
{
    public async ValueTask<JobProgressView> Handle(GetJobProgressQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var job = await readModel.GetSummaryAsync(query.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", query.JobId);
        var estimate = job.Status.IsFinal() ? null : job.Progress.EstimateCompletion(job.CreatedAt, clock.GetUtcNow());
        return new JobProgressView(job, estimate);
    }
}
