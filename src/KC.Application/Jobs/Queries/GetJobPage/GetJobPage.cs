using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using Mediator;

namespace KC.Application.Jobs.Queries.GetJobPage;

/// <summary>
/// A job as its dashboard page lists it: failing visits first, every visit's status and image
/// count, and no more than <see cref="MaxImages"/> of its images, whatever the job's size.
/// </summary>
public sealed record GetJobPageQuery(long JobId, int MaxImages) : IQuery<JobDetailsView>;

public sealed class GetJobPageValidator : AbstractValidator<GetJobPageQuery>
{
    public GetJobPageValidator()
    {
        RuleFor(q => q.JobId).MustBeAnId("job_id");
        RuleFor(q => q.MaxImages).GreaterThan(0).WithMessage("must be a positive integer").OverridePropertyName("max_images");
    }
}

public sealed class GetJobPageHandler(IJobReadModel readModel, TimeProvider clock) : IQueryHandler<GetJobPageQuery, JobDetailsView>
{
    public async ValueTask<JobDetailsView> Handle(GetJobPageQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var view = await readModel.GetPageAsync(query.JobId, query.MaxImages, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", query.JobId);
        return view.WithEstimate(clock.GetUtcNow());
    }
}
