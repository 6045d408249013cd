using KC.Application.Common.Telemetry;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// The heartbeat of this node's worker, every <see cref="ProcessingOptions.HeartbeatInterval"/>: it
/// renews this run's leases so nobody takes its images over, returns lapsed leases of any node to
/// the queue (waking the claim loop), and interrupts the images of jobs cancelled through another
/// node. Its last success is the worker's proof of life (ADR 0007).
/// </summary>
internal sealed partial class LeaseKeeper
{
    private readonly IWorkQueue _queue;
    private readonly JobsInFlight _jobs;
    private readonly WorkSignal _workSignal;
    private readonly ProcessingOptions _options;
    private readonly string _owner;
    private readonly KcTelemetry _telemetry;
    private readonly TimeProvider _clock;
    private readonly ILogger<LeaseKeeper> _logger;
    private long _lastHeartbeatTicks;

    public LeaseKeeper(
        IWorkQueue queue,
        JobsInFlight jobs,
        WorkSignal workSignal,
        ProcessingOptions options,
        string owner,
        KcTelemetry telemetry,
        TimeProvider clock,
        ILogger<LeaseKeeper> logger)
    {
        _queue = queue;
        _jobs = jobs;
        _workSignal = workSignal;
        _options = options;
        _owner = owner;
        _telemetry = telemetry;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>When the worker last proved it is alive: its start, then each renewal. Null before it starts.</summary>
    public DateTimeOffset? LastHeartbeatAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastHeartbeatTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void MarkAlive() => Interlocked.Exchange(ref _lastHeartbeatTicks, _clock.GetUtcNow().UtcTicks);

    /// <summary>Beats until <paramref name="cancellationToken"/> fires; a failed beat is logged and the next one tried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await BeatAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped after the last outcome was written.
        }
    }

    /// <summary>One heartbeat. A failure is logged; only a cancellation escapes.</summary>
    public async Task BeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _queue.RenewLeasesAsync(_owner, cancellationToken).ConfigureAwait(false);
            MarkAlive();
            var reclaimed = await _queue.ReclaimExpiredLeasesAsync(cancellationToken).ConfigureAwait(false);
            if (reclaimed > 0)
            {
                _telemetry.LeasesTakenOver(reclaimed);
                _workSignal.NotifyWorkAvailable();
            }

            // A job cancelled through another node reaches this one here.
            var inFlight = _jobs.JobIds();
            if (inFlight.Length > 0)
            {
                foreach (var jobId in await _queue.FindCancelledAsync(inFlight, cancellationToken).ConfigureAwait(false))
                {
                    _jobs.JobCancelled(jobId);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHeartbeatFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception);
}
