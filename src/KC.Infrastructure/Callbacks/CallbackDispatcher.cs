using KC.Application.Common;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Telemetry;
using KC.Application.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Callbacks;

/// <summary>
/// Sends completion callbacks from the database queue for the life of the host. Each delivery runs on
/// its own, with its own timeout (<see cref="CallbackOptions.TimeoutSeconds"/>), in one of
/// <see cref="CallbackOptions.MaxConcurrency"/> slots: a slot freed by a delivery that ends is
/// refilled at once, and while any slot is free the queue is looked at every
/// <see cref="CallbackOptions.PollMilliseconds"/>, so a receiver that hangs delays no other. Each
/// attempt is recorded with the next attempt's time, counted from the attempt's end, or the final state.
/// </summary>
internal sealed partial class CallbackDispatcher(
    CallbackStore store,
    CallbackSender sender,
    IJobStatusBody statusBody,
    CallbackOptions options,
    NodeIdentity node,
    KcTelemetry telemetry,
    TimeProvider clock,
    ILogger<CallbackDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Claims still held under our name belong to an earlier run that did not stop cleanly.
        await ReleaseLeasesAsync(stoppingToken).ConfigureAwait(false);

        var poll = TimeSpan.FromMilliseconds(Math.Max(1, options.PollMilliseconds));
        var slots = Math.Max(1, options.MaxConcurrency);
        using var free = new SemaphoreSlim(slots, slots);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Claim only for free slots, and as soon as there is one: never after a whole batch.
            if (!await WaitAsync(free.WaitAsync(stoppingToken)).ConfigureAwait(false))
            {
                break;
            }

            var held = 1;
            while (held < slots && free.Wait(0, CancellationToken.None))
            {
                held++;
            }

            IReadOnlyList<DueCallback> due;
            try
            {
                due = await store.ClaimDueAsync(node.Id, held, options.Lease, stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                free.Release(held);
                break;
            }
            catch (Exception ex)
            {
                // The database is busy or gone; back off and keep the host alive.
                free.Release(held);
                failures++;
                LogDispatchFailed(ex);
                if (!await WaitAsync(Task.Delay(Backoff.Exponential(failures + 1, poll, MaxFailureBackoff), clock, stoppingToken)).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            foreach (var callback in due)
            {
                // On the thread pool, so no part of a delivery, however slow, runs on this loop.
                _ = Task.Run(() => DeliverInSlotAsync(callback, free, stoppingToken), CancellationToken.None);
            }

            if (due.Count < held)
            {
                free.Release(held - due.Count);
            }

            // Every slot asked for was filled, so more may be due: claim again when the next slot frees.
            if (due.Count == held)
            {
                continue;
            }

            if (!await WaitAsync(Task.Delay(poll, clock, stoppingToken)).ConfigureAwait(false))
            {
                break;
            }
        }

        // The stop cancels the POSTs in flight; those that had their answer still record it. Then every
        // slot is back, and what this node still holds is handed back so the next run sends it at once.
        for (var i = 0; i < slots; i++)
        {
            await free.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await ReleaseLeasesAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>False when the host stops while waiting.</summary>
    private static async Task<bool> WaitAsync(Task wait)
    {
        try
        {
            await wait.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One callback's failure touches no other; its claim lapses and it is sent again.</summary>
    private async Task DeliverInSlotAsync(DueCallback callback, SemaphoreSlim free, CancellationToken stoppingToken)
    {
        using var scope = JobLogScope.Begin(logger, callback.JobId);
        try
        {
            await DeliverAsync(callback, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Cut off by the stop before anything was recorded: its claim is released with the others.
        }
        catch (Exception ex)
        {
            LogDeliveryFailed(ex, callback.JobId);
        }
        finally
        {
            free.Release();
        }
    }

    private async Task DeliverAsync(DueCallback callback, CancellationToken stoppingToken)
    {
        var at = clock.GetUtcNow();
        var status = await store.ReadStatusAsync(callback.JobId, stoppingToken).ConfigureAwait(false);
        var result = status is null
            ? new CallbackSendResult(false, null, "the job no longer exists", Permanent: true)
            : await sender.SendAsync(callback.Url, statusBody.Write(status), stoppingToken).ConfigureAwait(false);

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
            return;
        }

        telemetry.CallbackAttempted(state);
        if (state == CallbackStatus.Failed)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "The callback of job {JobId} to {Url} failed (attempt {Attempts}: {Error}); next attempt at {Next:O}")]
    private partial void LogWillRetry(long jobId, string url, int attempts, string? error, DateTimeOffset next);
}
