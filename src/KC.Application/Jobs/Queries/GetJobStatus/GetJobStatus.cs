using FluentValidation;
using KC.Application.Common.Interfaces;
using Mediator;

namespace KC.Application.Jobs.Queries.GetJobStatus;

/// <summary>The compatibility status read: null when the job does not exist (the contract answers <c>400 {}</c>).</summary>
public sealed record GetJobStatusQuery(long? JobId) : IQuery<JobStatusView?>;

public sealed class GetJobStatusValidator : AbstractValidator<GetJobStatusQuery>
{
    public GetJobStatusValidator()
    {
        RuleFor(q => q.JobId)
            .NotNull().WithMessage("is required")
            .GreaterThan(0).WithMessage("must be a positive integer")
            .OverridePropertyName("jobid");
    }
}

public sealed class GetJobStatusHandler(IJobReadModel readModel) : IQueryHandler<GetJobStatusQuery, JobStatusView?>
{
    public async ValueTask<JobStatusView?> Handle(GetJobStatusQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await readModel.GetStatusAsync(query.JobId!.Value, cancellationToken).ConfigureAwait(false);
    }
}
