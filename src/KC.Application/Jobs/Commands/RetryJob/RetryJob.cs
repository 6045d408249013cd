using FluentValidation;
using KC.Application.Common;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Validation;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Commands.RetryJob;

/// <summary>
/// Puts a failed job's failed images back in the queue (those of stores still missing from the
/// master stay failed) and the job back to ongoing; it settles, and calls its callback, again.
/// </summary>
public sealed record RetryJobCommand(long JobId) : ICommand<JobStatusView>;

public sealed class RetryJobValidator : AbstractValidator<RetryJobCommand>
{
    public RetryJobValidator()
    {
        RuleFor(c => c.JobId).MustBeAnId("job_id");
    }
}

public sealed class RetryJobHandler(IJobRepository jobs, IJobReadModel readModel, IWorkSignal work) : ICommandHandler<RetryJobCommand, JobStatusView>
{
    public async ValueTask<JobStatusView> Handle(RetryJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // Set-wise in the store, which applies the domain's retry rule in one transaction.
        var retry = await jobs.TryRetryAsync(command.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
        switch (retry.Outcome)
        {
            case RetryOutcome.Refused:
                throw new ConflictException(
                    $"Job {command.JobId} is {StatusWords.Of(retry.Found)}; only a failed job can be retried.");
            case RetryOutcome.NothingToRetry:
                throw new ConflictException(
                    $"Job {command.JobId} has no image to retry: every failed image belongs to a store that is not in the store master; import the store first.");
        }

        work.NotifyWorkAvailable();
        return await readModel.GetStatusAsync(command.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException("Job", command.JobId);
    }
}
