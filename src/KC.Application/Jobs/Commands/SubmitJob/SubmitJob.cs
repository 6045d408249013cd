using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Time;
using KC.Domain.Jobs;
using Mediator;

namespace KC.Application.Jobs.Commands.SubmitJob;

/// <summary>
/// A client's job as it arrived, before validation: every member may be missing, so that the
/// validator, not the JSON binder, decides what is wrong and names the field.
/// </summary>
/// <param name="CallbackUrl">The body's <c>callback_url</c>: where the final status is POSTed once the job settles.</param>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> header: a retry with the same key and body answers with the same job.</param>
/// <param name="IdempotencyScope">
/// Whose keys <paramref name="IdempotencyKey"/> is among: the fingerprint of the caller's API key when
/// API keys are configured, so clients never share a key; null for the one scope of every client.
/// </param>
public sealed record SubmitJobCommand(
    int? Count,
    IReadOnlyList<SubmittedVisit?>? Visits,
    string? CallbackUrl = null,
    string? IdempotencyKey = null,
    string? IdempotencyScope = null) : ICommand<SubmitJobResult>;

public sealed record SubmittedVisit(string? StoreId, IReadOnlyList<string?>? ImageUrls, string? VisitTime);

/// <param name="Replayed">True when the job was created by an earlier submit with the same idempotency key and body.</param>
public sealed record SubmitJobResult(long JobId, bool Replayed = false);

public sealed class SubmitJobHandler(
    IJobRepository jobs,
    IStoreMaster storeMaster,
    IWorkSignal workSignal,
    TimeProvider clock,
    SubmitLimits? limits = null) : ICommandHandler<SubmitJobCommand, SubmitJobResult>
{
    // Clamped, so a mistyped setting cannot make every keyed submit overflow: 0 or less keeps no key.
    private readonly TimeSpan _keyLifetime = TimeSpan.FromHours(Math.Clamp((limits ?? new SubmitLimits()).IdempotencyKeyHours, 0, 100 * 365 * 24));

    public async ValueTask<SubmitJobResult> Handle(SubmitJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = clock.GetUtcNow();

        // The validator has run: every member below is present and well formed.
        var visits = command.Visits!
            .Select(v => new NewVisit(v!.StoreId!.Trim(), ParseTime(v.VisitTime!), v.ImageUrls!.Select(u => u!.Trim()).ToList()))
            .ToList();
        var callbackUrl = command.CallbackUrl?.Trim();

        var key = command.IdempotencyKey;
        var scope = command.IdempotencyScope ?? IdempotencyScope.Shared;
        var requestHash = key is null ? null : SubmitRequestFingerprint.Compute(visits, callbackUrl);
        if (key is not null
            && await jobs.FindIdempotencyKeyAsync(scope, key, now, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return Replay(earlier, requestHash!);
        }

        var storeIds = visits.Select(v => v.StoreId).Distinct(StringComparer.Ordinal).ToList();
        var known = await storeMaster.FindExistingAsync(storeIds, cancellationToken).ConfigureAwait(false);

        var job = Job.Submit(visits, known.Contains, now, callbackUrl);
        if (key is null)
        {
            jobs.Add(job);
        }
        else
        {
            jobs.Add(job, new NewIdempotencyKey(scope, key, requestHash!, now, now + _keyLifetime));
        }

        try
        {
            await jobs.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IdempotencyKeyTakenException) when (key is not null)
        {
            // A concurrent submit with the same key committed first and stored nothing of ours:
            // answer as a retry of that one would be answered.
            var winner = await jobs.FindIdempotencyKeyAsync(scope, key, now, cancellationToken).ConfigureAwait(false);
            if (winner is null)
            {
                throw;
            }

            return Replay(winner, requestHash!);
        }

        // A job of unknown stores only is final from the start: there is nothing to work on.
        if (!job.Status.IsFinal())
        {
            workSignal.NotifyWorkAvailable();
        }

        return new SubmitJobResult(job.Id);
    }

    private static SubmitJobResult Replay(IdempotencyKeyRecord earlier, string requestHash) =>
        string.Equals(earlier.RequestHash, requestHash, StringComparison.Ordinal)
            ? new SubmitJobResult(earlier.JobId, Replayed: true)
            : throw new IdempotencyKeyMismatchException(earlier.Key);

    private static DateTimeOffset ParseTime(string text) =>
        Rfc3339.TryParse(text, out var value) ? value : throw new ArgumentException($"Unvalidated visit_time '{text}'.", nameof(text));
}
