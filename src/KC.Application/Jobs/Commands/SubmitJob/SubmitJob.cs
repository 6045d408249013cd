using KC.Application.Common.Interfaces;
using KC.Application.Common.Time;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Commands.SubmitJob;

/// <summary>
/// A client's job as it arrived, before validation: every member may be missing, so that the
/// validator, not the JSON binder, decides what is wrong and names the field.
/// </summary>
public sealed record SubmitJobCommand(int? Count, IReadOnlyList<SubmittedVisit?>? Visits) : ICommand<SubmitJobResult>;

public sealed record SubmittedVisit(string? StoreId, IReadOnlyList<string?>? ImageUrls, string? VisitTime);

public sealed record SubmitJobResult(long JobId);

public sealed class SubmitJobHandler(
    IJobRepository jobs,
    IStoreMaster storeMaster,
    IWorkSignal workSignal,
    TimeProvider clock) : ICommandHandler<SubmitJobCommand, SubmitJobResult>
{
    public async ValueTask<SubmitJobResult> Handle(SubmitJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // The validator has run: every member below is present and well formed.
        var visits = command.Visits!
            .Select(v => new NewVisit(v!.StoreId!.Trim(), ParseTime(v.VisitTime!), v.ImageUrls!.Select(u => u!.Trim()).ToList()))
            .ToList();
        var storeIds = visits.Select(v => v.StoreId).Distinct(StringComparer.Ordinal).ToList();
        var known = await storeMaster.FindExistingAsync(storeIds, cancellationToken).ConfigureAwait(false);

        var job = Job.Submit(visits, known.Contains, clock.GetUtcNow());
        jobs.Add(job);
        await jobs.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        if (job.Status == JobStatus.Ongoing)
        {
            workSignal.NotifyWorkAvailable();
        }

        return new SubmitJobResult(job.Id);
    }

    private static DateTimeOffset ParseTime(string text) =>
        Rfc3339.TryParse(text, out var value) ? value : throw new ArgumentException($"Unvalidated visit_time '{text}'.", nameof(text));
}
