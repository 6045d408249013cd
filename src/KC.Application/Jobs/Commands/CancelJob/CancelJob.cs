using FluentValidation;
using KC.Application.Common;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
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

        // A 50,000-image job is cancelled set-wise in the store, which applies the domain's cancel rule.
        var cancellation = await jobs.TryCancelAsync(command.JobId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
        if (cancellation.Outcome == CancelOutcome.Refused)
        {
            throw new ConflictException(
                $"Job {command.JobId} is already {StatusWords.Of(cancellation.Status)}; only an ongoing job can be cancelled.");
        }

        // Cancelled now or by an earlier call, perhaps through another node: either way this node
        // stops whatever work of it it still has in flight.
        cancellations.JobCancelled(command.JobId);
        return await readModel.GetStatusAsync(command.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
    }
}
