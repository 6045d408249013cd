using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Callbacks;

/// <summary>
/// Sends completion callbacks from the database queue for the life of the host: every
/// <see cref="CallbackOptions.PollMilliseconds"/> it claims the callbacks that have come due, POSTs
/// them in parallel, and records each attempt with the next attempt's time or the final state.
/// </summary>
internal sealed partial class CallbackDispatcher(
    CallbackStore store,
    CallbackSender sender,
    CallbackOptions options,
    NodeIdentity node,
    TimeProvider clock,
    ILogger<CallbackDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Claims still held under our name belong to an earlier run that did not stop cleanly.
        await ReleaseLeasesAsync(stoppingToken).ConfigureAwait(false);

        var poll = TimeSpan.FromMilliseconds(Math.Max(1, options.PollMilliseconds));
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = poll;
            try
            {
                // A full batch suggests more is due: look again at once.
                var sent = await DispatchDueAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
                if (sent >= options.MaxConcurrency)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database is busy or gone; back off and keep the host alive.
                failures++;
                LogDispatchFailed(ex);
                wait = TimeSpan.FromMilliseconds(Math.Min(poll.TotalMilliseconds * Math.Pow(2, failures), MaxFailureBackoff.TotalMilliseconds));
            }

            try
            {
                await Task.Delay(wait, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Sends cut off by the stop recorded nothing; hand them back so the next run sends them at once.
        await ReleaseLeasesAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<int> DispatchDueAsync(CancellationToken stoppingToken)
    {
        var due = await store.ClaimDueAsync(node.Id, Math.Max(1, options.MaxConcurrency), options.Lease, stoppingToken).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return 0;
        }

        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrency), CancellationToken = stoppingToken },
            (callback, token) => new ValueTask(DeliverOrLogAsync(callback, token))).ConfigureAwait(false);
        return due.Count;
    }

    /// <summary>One callback's failure must not cut off the others in its batch; its claim lapses and it is sent again.</summary>
    private async Task DeliverOrLogAsync(DueCallback callback, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(callback, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogDeliveryFailed(ex, callback.JobId);
        }
    }

    private async Task DeliverAsync(DueCallback callback, CancellationToken stoppingToken)
    {
        var at = clock.GetUtcNow();
        var body = await store.ReadStatusBodyAsync(callback.JobId, stoppingToken).ConfigureAwait(false);
        var result = body is null
            ? new CallbackSendResult(false, null, "the job no longer exists", Permanent: true)
            : await sender.SendAsync(callback.Url, body, stoppingToken).ConfigureAwait(false);

        var attempts = callback.Attempts + 1;
        var state = result.Delivered ? CallbackStatus.Delivered
            : result.Permanent || attempts >= options.MaxAttempts ? CallbackStatus.Failed
            : CallbackStatus.Pending;
        var next = state == CallbackStatus.Pending
            ? clock.GetUtcNow() + options.RetryDelay(attempts, Random.Shared.NextDouble())
            : clock.GetUtcNow();

        // The POST has happened: record it even while the host stops.
        var recorded = await store.RecordAttemptAsync(
                node.Id,
                callback.JobId,
                new CallbackAttemptView(at, result.StatusCode, result.Error),
                state,
                next,
                CancellationToken.None)
            .ConfigureAwait(false);

        if (!recorded)
        {
            LogClaimLost(callback.JobId);
        }
        else if (state == CallbackStatus.Failed)
        {
            LogGaveUp(callback.JobId, callback.Url, attempts, result.Error);
        }
        else if (state == CallbackStatus.Pending)
        {
            LogWillRetry(callback.JobId, callback.Url, attempts, result.Error, next);
        }
    }

    private async Task ReleaseLeasesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ReleaseLeasesAsync(node.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The leases lapse on their own; the callbacks are sent then.
            LogReleaseFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming or sending completion callbacks failed; retrying")]
    private partial void LogDispatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending or recording the callback of job {JobId} failed; it is sent again when its claim lapses")]
    private partial void LogDeliveryFailed(Exception exception, long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing this node's completion callback claims failed; they lapse on their own")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The callback of job {JobId} was sent, but another node had taken it over; its attempt is not recorded")]
    private partial void LogClaimLost(long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The callback of job {JobId} to {Url} failed after {Attempts} attempts: {Error}")]
    private partial void LogGaveUp(long jobId, string url, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The callback of job {JobId} to {Url} failed (attempt {Attempts}: {Error}); next attempt at {Next}")]
    private partial void LogWillRetry(long jobId, string url, int attempts, string? error, DateTimeOffset next);
}
