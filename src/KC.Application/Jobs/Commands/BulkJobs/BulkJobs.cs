using FluentValidation;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Application.Jobs.Commands.RetryJob;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Commands.BulkJobs;

/// <summary>What a bulk action does to each job it picks.</summary>
public enum BulkJobAction
{
    Cancel,
    Retry,
}

public static class BulkJobActions
{
    /// <summary>The jobs an action can apply to: cancel stops ongoing jobs, retry takes failed ones back.</summary>
    public static JobStatus AppliesTo(this BulkJobAction action) => action == BulkJobAction.Cancel ? JobStatus.Ongoing : JobStatus.Failed;
}

/// <summary>
/// Cancels or retries many jobs at once: the ones listed, or those matching a filter (only those
/// the action applies to). At most <see cref="MaxJobs"/> per command, so one request's work is
/// bounded; what is left over is reported, for another command to pick up.
/// </summary>
public sealed record BulkJobCommand(BulkJobAction Action, IReadOnlyList<long>? JobIds = null, JobFilterText? Filter = null) : ICommand<BulkJobResult>
{
    public const int MaxJobs = 100;
}

/// <param name="Done">The jobs cancelled or retried.</param>
/// <param name="Refused">The jobs the action did not apply to, each with the sentence the single action answers.</param>
/// <param name="MoreMatching">Whether more jobs match the filter than this command took.</param>
public sealed record BulkJobResult(BulkJobAction Action, IReadOnlyList<long> Done, IReadOnlyList<BulkRefusal> Refused, bool MoreMatching);

public sealed record BulkRefusal(long JobId, string Reason);

/// <summary>How many jobs a bulk action on a filter would pick, for the count a person confirms.</summary>
public sealed record CountBulkJobsQuery(BulkJobAction Action, JobFilterText Filter) : IQuery<long>;

public sealed class BulkJobValidator : AbstractValidator<BulkJobCommand>
{
    public BulkJobValidator()
    {
        RuleFor(c => c)
            .Must(c => (c.JobIds is null) != (c.Filter is null)).WithMessage("name the jobs, or a filter, but not both")
            .OverridePropertyName("ids");
        RuleFor(c => c.JobIds!.Count)
            .InclusiveBetween(1, BulkJobCommand.MaxJobs).WithMessage($"must name between 1 and {BulkJobCommand.MaxJobs} jobs")
            .OverridePropertyName("ids")
            .When(c => c.JobIds is not null);
        RuleForEach(c => c.JobIds)
            .GreaterThan(0).WithMessage("must be a positive integer")
            .OverridePropertyName("ids")
            .When(c => c.JobIds is not null);
        When(c => c.Filter is not null, () => this.AddJobFilterRules(c => c.Filter!));
    }
}

public sealed class CountBulkJobsValidator : AbstractValidator<CountBulkJobsQuery>
{
    public CountBulkJobsValidator()
    {
        this.AddJobFilterRules(q => q.Filter);
    }
}

public sealed class CountBulkJobsHandler(IJobListReadModel readModel) : IQueryHandler<CountBulkJobsQuery, long>
{
    public async ValueTask<long> Handle(CountBulkJobsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Filter.Read().OnlyWith(query.Action.AppliesTo()) is { } filter
            ? await readModel.CountAsync(filter, cancellationToken).ConfigureAwait(false)
            : 0;
    }
}

/// <summary>
/// Sends the single cancel or retry for each job, so a bulk action follows exactly the rules, the
/// answers and the signals of the one-job endpoints; each job is its own transaction.
/// </summary>
public sealed class BulkJobHandler(IJobListReadModel readModel, ISender sender) : ICommandHandler<BulkJobCommand, BulkJobResult>
{
    public async ValueTask<BulkJobResult> Handle(BulkJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var more = false;
        List<long> ids;
        if (command.JobIds is { } listed)
        {
            ids = listed.Distinct().ToList();
        }
        else
        {
            var found = command.Filter!.Read().OnlyWith(command.Action.AppliesTo()) is { } filter
                ? await readModel.FindIdsAsync(filter, BulkJobCommand.MaxJobs + 1, cancellationToken).ConfigureAwait(false)
                : [];
            more = found.Count > BulkJobCommand.MaxJobs;
            ids = found.Take(BulkJobCommand.MaxJobs).ToList();
        }

        var done = new List<long>(ids.Count);
        var refused = new List<BulkRefusal>();
        foreach (var id in ids)
        {
            try
            {
                _ = command.Action == BulkJobAction.Cancel
                    ? await sender.Send(new CancelJobCommand(id), cancellationToken).ConfigureAwait(false)
                    : await sender.Send(new RetryJobCommand(id), cancellationToken).ConfigureAwait(false);
                done.Add(id);
            }
            catch (Exception ex) when (ex is ConflictException or NotFoundException)
            {
                refused.Add(new BulkRefusal(id, ex.Message));
            }
        }

        return new BulkJobResult(command.Action, done, refused, more);
    }
}
