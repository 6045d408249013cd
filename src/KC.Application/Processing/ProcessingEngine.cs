using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// The worker of one node. It claims batches of images from the durable queue, fans each batch out
/// over its visits with <see cref="Parallel.ForEachAsync{TSource}(IEnumerable{TSource}, ParallelOptions, Func{TSource, CancellationToken, ValueTask})"/>,
/// and runs every image through two bounded stages: download, which reads the size from the body
/// as it streams in (the download slots), then the simulated GPU step (the GPU slots). Only the
/// measured size passes between the stages, never the bytes.
/// Outcomes are written in batches; leases are renewed by a heartbeat until they are.
/// </summary>
public sealed partial class ProcessingEngine : IJobCancellationSignal, IDisposable
{
    private readonly IWorkQueue _queue;
    private readonly IImageDownloader _downloader;
    private readonly IGpuStep _gpu;
    private readonly WorkSignal _workSignal;
    private readonly ProcessingOptions _options;
    private readonly string _owner;
    private readonly ILogger<ProcessingEngine> _logger;
    private readonly SemaphoreSlim _downloadSlots;
    private readonly SemaphoreSlim _gpuSlots;
    private readonly AsyncSignal _capacityFreed = new();
    private readonly Channel<ImageOutcome> _outcomes = Channel.CreateUnbounded<ImageOutcome>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly Dictionary<long, JobScope> _jobs = [];
    private readonly Lock _jobsLock = new();
    private int _inFlight;
    private long _lastHeartbeatTicks;
    private volatile bool _stopping;

    public ProcessingEngine(
        IWorkQueue queue,
        IImageDownloader downloader,
        IGpuStep gpu,
        WorkSignal workSignal,
        ProcessingOptions options,
        NodeIdentity node,
        ILogger<ProcessingEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(node);
        _queue = queue;
        _downloader = downloader;
        _gpu = gpu;
        _workSignal = workSignal;
        _options = options;
        _owner = node.LeaseOwner;
        _logger = logger;
        _downloadSlots = new SemaphoreSlim(options.EffectiveDownloadConcurrency);
        _gpuSlots = new SemaphoreSlim(options.MaxConcurrency);
    }

    /// <summary>Images claimed by this node and not yet settled or released.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>When the worker last proved it is alive: its start, then each successful heartbeat. Null before it starts.</summary>
    public DateTimeOffset? LastHeartbeatAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastHeartbeatTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then stops claiming, lets in-flight
    /// images finish within the grace period, writes their outcomes and releases the rest.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // Leases are this run's own: an earlier run's were released when the node registered.
        MarkAlive();

        using var processingCts = new CancellationTokenSource();
        using var heartbeatCts = new CancellationTokenSource();
        using var claimingCts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var writer = Task.Run(() => WriteOutcomesAsync(), CancellationToken.None);
        var heartbeat = Task.Run(() => HeartbeatAsync(heartbeatCts.Token), CancellationToken.None);
        var batches = new List<Task>();

        // Claiming without a writer would hold leases forever and settle nothing.
        _ = writer.ContinueWith(
            t =>
            {
                LogWriterFailed(t.Exception!);
                claimingCts.Cancel();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);

        try
        {
            await ClaimLoopAsync(batches, processingCts.Token, claimingCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (claimingCts.IsCancellationRequested)
        {
            // Normal shutdown, or the writer failed.
        }

        _stopping = true;
        batches.RemoveAll(t => t.IsCompleted);
        var all = Task.WhenAll(batches);
        var grace = TimeSpan.FromSeconds(Math.Max(0, _options.ShutdownGraceSeconds));
        if (await Task.WhenAny(all, Task.Delay(grace, CancellationToken.None)).ConfigureAwait(false) != all)
        {
            LogGraceExpired(InFlight);
        }

        await processingCts.CancelAsync().ConfigureAwait(false);
        await all.ConfigureAwait(false);
        _outcomes.Writer.TryComplete();
        Exception? writerFailure = null;
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            writerFailure = ex;
        }

        await heartbeatCts.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);

        try
        {
            var returned = await _queue.ReleaseLeasesAsync(_owner, LeaseRelease.GracefulStop, CancellationToken.None).ConfigureAwait(false);
            LogStopped(returned);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The leases lapse on their own; another run or node takes the images over then.
            LogReleaseFailed(ex);
        }

        // A node that cannot record outcomes must not look healthy: fail the host.
        if (writerFailure is not null)
        {
            ExceptionDispatchInfo.Throw(writerFailure);
        }
    }

    /// <summary>Interrupts this node's images of <paramref name="jobId"/>: their downloads and GPU steps end at once.</summary>
    public void JobCancelled(long jobId)
    {
        lock (_jobsLock)
        {
            if (_jobs.TryGetValue(jobId, out var scope))
            {
                scope.Cancellation.Cancel();
            }
        }
    }

    public void Dispose()
    {
        _downloadSlots.Dispose();
        _gpuSlots.Dispose();
        _capacityFreed.Dispose();
    }

    private async Task ClaimLoopAsync(List<Task> batches, CancellationToken processing, CancellationToken stopping)
    {
        var capacity = _options.ClaimCapacity;
        var minimumClaim = Math.Max(1, Math.Min(_options.ClaimBatchSize, capacity / 8));
        var idlePoll = TimeSpan.FromMilliseconds(_options.IdlePollMilliseconds);
        var failures = 0;

        while (!stopping.IsCancellationRequested)
        {
            var free = capacity - InFlight;
            if (free < minimumClaim)
            {
                await _capacityFreed.WaitAsync(idlePoll, stopping).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<ClaimedImage> claimed;
            try
            {
                claimed = await _queue.ClaimAsync(_owner, Math.Min(free, _options.ClaimBatchSize), stopping).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures++;
                LogClaimFailed(ex, failures);
                await Task.Delay(Backoff(failures), stopping).ConfigureAwait(false);
                continue;
            }

            if (claimed.Count == 0)
            {
                await _workSignal.WaitAsync(idlePoll, stopping).ConfigureAwait(false);
                continue;
            }

            Interlocked.Add(ref _inFlight, claimed.Count);
            batches.RemoveAll(t => t.IsCompleted);
            batches.Add(ProcessBatchAsync(claimed, processing));
        }
    }

    private Task ProcessBatchAsync(IReadOnlyList<ClaimedImage> batch, CancellationToken cancellationToken)
    {
        // Every image runs its own body even once cancelled, so each one is accounted for.
        var options = new ParallelOptions { MaxDegreeOfParallelism = _options.ClaimCapacity };
        return Parallel.ForEachAsync(
            batch.GroupBy(image => image.VisitId),
            options,
            async (visit, _) => await Task.WhenAll(visit.Select(image => ProcessImageAsync(image, cancellationToken))).ConfigureAwait(false));
    }

    private async Task ProcessImageAsync(ClaimedImage image, CancellationToken stopping)
    {
        var jobCancelled = EnterJob(image.JobId);
        try
        {
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopping, jobCancelled);
            var outcome = await RunStagesAsync(image, cancellation.Token).ConfigureAwait(false);
            _outcomes.Writer.TryWrite(outcome);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || jobCancelled.IsCancellationRequested)
        {
            // Shutdown: released with this node's leases. Cancelled job: the image is already settled as cancelled.
        }
        finally
        {
            LeaveJob(image.JobId);
            Interlocked.Decrement(ref _inFlight);
            _capacityFreed.Set();
        }
    }

    private CancellationToken EnterJob(long jobId)
    {
        lock (_jobsLock)
        {
            if (!_jobs.TryGetValue(jobId, out var scope))
            {
                _jobs[jobId] = scope = new JobScope();
            }

            scope.Images++;
            return scope.Cancellation.Token;
        }
    }

    private void LeaveJob(long jobId)
    {
        lock (_jobsLock)
        {
            var scope = _jobs[jobId];
            if (--scope.Images == 0)
            {
                _jobs.Remove(jobId);
                scope.Cancellation.Dispose();
            }
        }
    }

    private long[] JobsInFlight()
    {
        lock (_jobsLock)
        {
            return [.. _jobs.Keys];
        }
    }

    private async Task<ImageOutcome> RunStagesAsync(ClaimedImage image, CancellationToken cancellationToken)
    {
        // Claimed over and over without an outcome: whatever it does takes its node down with it.
        if (image.Claims > _options.MaxClaims)
        {
            return ImageOutcome.Failed(
                image,
                $"abandoned after {image.Claims - 1} claims without an outcome: each node that claimed it stopped before finishing it (Processing:MaxClaims)",
                attempts: 0);
        }

        DownloadedImage download;
        await _downloadSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            download = await _downloader.DownloadAsync(new Uri(image.Url), cancellationToken).ConfigureAwait(false);
        }
        catch (ImageFailureException ex)
        {
            return ImageOutcome.Failed(image, ex.Message, ex.Attempts);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnexpectedFailure(ex, image.ImageId);
            return ImageOutcome.Failed(image, $"unexpected error: {ex.Message}", 1);
        }
        finally
        {
            _downloadSlots.Release();
        }

        await _gpuSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _gpu.RunAsync(download.Size, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUnexpectedFailure(ex, image.ImageId);
            return ImageOutcome.Failed(image, $"unexpected error: {ex.Message}", download.Attempts);
        }
        finally
        {
            _gpuSlots.Release();
        }

        return ImageOutcome.Succeeded(image, download.Size, download.Attempts, download.LastError);
    }

    private async Task WriteOutcomesAsync()
    {
        var reader = _outcomes.Reader;
        var flushDelay = TimeSpan.FromMilliseconds(_options.OutcomeFlushMilliseconds);
        var batch = new List<ImageOutcome>(_options.OutcomeBatchSize);

        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Drain(reader, batch);

            // Let a few more outcomes arrive so one transaction carries many of them.
            if (flushDelay > TimeSpan.Zero && batch.Count < _options.OutcomeBatchSize && !reader.Completion.IsCompleted)
            {
                await Task.Delay(flushDelay).ConfigureAwait(false);
                Drain(reader, batch);
            }

            await RecordWithRetryAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private void Drain(ChannelReader<ImageOutcome> reader, List<ImageOutcome> batch)
    {
        while (batch.Count < _options.OutcomeBatchSize && reader.TryRead(out var outcome))
        {
            batch.Add(outcome);
        }
    }

    private async Task RecordWithRetryAsync(List<ImageOutcome> batch)
    {
        // Outcomes are only ever lost with the process: while this node runs it keeps trying, and
        // its heartbeat keeps the images leased meanwhile, so nobody else redoes them. Once the
        // node is stopping it tries a few more times, then leaves them leased; the release at
        // shutdown (or the lapse of the leases after a crash) returns them to the queue.
        const int triesWhenStopping = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _queue.RecordOutcomesAsync(_owner, batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!_stopping || attempt < triesWhenStopping)
            {
                LogRecordFailed(ex, batch.Count, attempt);
                await Task.Delay(Backoff(attempt)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogRecordAbandoned(ex, batch.Count);
                return;
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _queue.RenewLeasesAsync(_owner, cancellationToken).ConfigureAwait(false);
                    MarkAlive();
                    if (await _queue.ReclaimExpiredLeasesAsync(cancellationToken).ConfigureAwait(false) > 0)
                    {
                        _workSignal.NotifyWorkAvailable();
                    }

                    // A job cancelled through another node reaches this one here.
                    var inFlight = JobsInFlight();
                    if (inFlight.Length > 0)
                    {
                        foreach (var jobId in await _queue.FindCancelledAsync(inFlight, cancellationToken).ConfigureAwait(false))
                        {
                            JobCancelled(jobId);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHeartbeatFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped after the last outcome was written.
        }
    }

    private void MarkAlive() => Interlocked.Exchange(ref _lastHeartbeatTicks, DateTimeOffset.UtcNow.UtcTicks);

    private static TimeSpan Backoff(int attempt) =>
        Common.Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown grace period over with {Count} images in flight; cancelling them")]
    private partial void LogGraceExpired(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker stopped; {Count} unfinished images returned to the queue")]
    private partial void LogStopped(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release leases at shutdown; they will lapse")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming work failed ({Failures} in a row)")]
    private partial void LogClaimFailed(Exception exception, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure processing image {ImageId}")]
    private partial void LogUnexpectedFailure(Exception exception, long imageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} outcomes failed (try {Attempt}); retrying")]
    private partial void LogRecordFailed(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} outcomes while stopping; their images return to the queue")]
    private partial void LogRecordAbandoned(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The outcome writer failed; this node stops claiming work")]
    private partial void LogWriterFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease heartbeat failed")]
    private partial void LogHeartbeatFailed(Exception exception);

    /// <summary>The images of one job in flight on this node, and the switch that interrupts them.</summary>
    private sealed class JobScope
    {
        public CancellationTokenSource Cancellation { get; } = new();

        public int Images { get; set; }
    }
}
