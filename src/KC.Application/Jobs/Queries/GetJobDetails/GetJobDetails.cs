using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Queries.GetJobDetails;

/// <summary>A job with its visits and every image's result.</summary>
public sealed record GetJobDetailsQuery(long JobId) : IQuery<JobDetailsView>;

public sealed class GetJobDetailsValidator : AbstractValidator<GetJobDetailsQuery>
{
    public GetJobDetailsValidator()
    {
        RuleFor(q => q.JobId).MustBeAnId("job_id");
    }
}

public sealed class GetJobDetailsHandler(IJobReadModel readModel, TimeProvider clock) : IQueryHandler<GetJobDetailsQuery, JobDetailsView>
{
    public async ValueTask<JobDetailsView> Handle(GetJobDetailsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var view = await readModel.GetDetailsAsync(query.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", query.JobId);
        return view.WithEstimate(clock.GetUtcNow());
    }
}
