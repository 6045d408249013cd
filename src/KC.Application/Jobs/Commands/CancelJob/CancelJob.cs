using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using KC.Domain.Common;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Commands.CancelJob;

/// <summary>Stops an ongoing job: pending images never start, and images in flight are interrupted.</summary>
public sealed record CancelJobCommand(long JobId) : ICommand<JobStatusView>;

public sealed class CancelJobValidator : AbstractValidator<CancelJobCommand>
{
    public CancelJobValidator()
    {
        RuleFor(c => c.JobId).MustBeAnId("job_id");
    }
}

public sealed class CancelJobHandler(
    IJobRepository jobs,
    IJobReadModel readModel,
    IJobCancellationSignal cancellations,
    TimeProvider clock) : ICommandHandler<CancelJobCommand, JobStatusView>
{
    public async ValueTask<JobStatusView> Handle(CancelJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // A 50,000-image job is cancelled set-wise in the store; the aggregate's rule decides whether it may be.
        var current = await jobs.TryCancelAsync(command.JobId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
        if (current != JobStatus.Cancelled)
        {
            try
            {
                Job.EnsureCancellable(command.JobId, current);
            }
            catch (DomainRuleException rule)
            {
                throw new ConflictException(rule.Message, rule);
            }
        }

        cancellations.JobCancelled(command.JobId);
        return await readModel.GetStatusAsync(command.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
    }
}
