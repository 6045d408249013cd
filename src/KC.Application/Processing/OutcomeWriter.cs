using System.Diagnostics;
using System.Threading.Channels;
using KC.Application.Common.Telemetry;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// Writes this node's outcomes to the queue in batches: up to <c>Processing:OutcomeBatchSize</c>
/// per transaction, waiting up to <c>Processing:OutcomeFlushMilliseconds</c> for a batch to fill.
/// Queuing an outcome never blocks the image that produced it. A traced image's span gets a child
/// for the write, from the moment its outcome was queued to the commit, and ends with it.
/// </summary>
internal sealed partial class OutcomeWriter : IDisposable
{
    /// <summary>Tries a batch gets once the node is stopping.</summary>
    private const int TriesWhenStopping = 3;

    private readonly IWorkQueue _queue;
    private readonly ProcessingOptions _options;
    private readonly string _owner;
    private readonly ILogger<OutcomeWriter> _logger;
    private readonly Channel<QueuedOutcome> _outcomes = Channel.CreateUnbounded<QueuedOutcome>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _failed = new();
    private volatile bool _stopping;

    public OutcomeWriter(IWorkQueue queue, ProcessingOptions options, string owner, ILogger<OutcomeWriter> logger)
    {
        _queue = queue;
        _options = options;
        _owner = owner;
        _logger = logger;
    }

    /// <summary>Fires when the writer itself breaks: a node that cannot record outcomes must stop claiming.</summary>
    public CancellationToken Failed => _failed.Token;

    /// <param name="span">The image's span, ended once the outcome is written; null when the image is not traced.</param>
    public void Write(ImageOutcome outcome, Activity? span = null) =>
        _outcomes.Writer.TryWrite(new QueuedOutcome(outcome, span, span is null ? default : DateTimeOffset.UtcNow));

    /// <summary>The node is stopping: from now on a batch that will not write is given up after a few tries.</summary>
    public void NodeStopping() => _stopping = true;

    /// <summary>No more outcomes will come: <see cref="RunAsync"/> ends once the last is written.</summary>
    public void Complete() => _outcomes.Writer.TryComplete();

    /// <summary>Writes outcomes until <see cref="Complete"/> and the last of them; throws only if the writer broke.</summary>
    public async Task RunAsync()
    {
        try
        {
            await WriteAllAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogWriterFailed(ex);
            await _failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _failed.Dispose();

    private async Task WriteAllAsync()
    {
        var reader = _outcomes.Reader;
        var flushDelay = TimeSpan.FromMilliseconds(_options.OutcomeFlushMilliseconds);
        var batch = new List<QueuedOutcome>(_options.OutcomeBatchSize);

        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Drain(reader, batch);

            // Let a few more outcomes arrive so one transaction carries many of them.
            if (flushDelay > TimeSpan.Zero && batch.Count < _options.OutcomeBatchSize && !reader.Completion.IsCompleted)
            {
                await Task.Delay(flushDelay).ConfigureAwait(false);
                Drain(reader, batch);
            }

            var written = await RecordWithRetryAsync(batch.ConvertAll(q => q.Outcome)).ConfigureAwait(false);
            EndSpans(batch, written);
            batch.Clear();
        }
    }

    private void Drain(ChannelReader<QueuedOutcome> reader, List<QueuedOutcome> batch)
    {
        while (batch.Count < _options.OutcomeBatchSize && reader.TryRead(out var outcome))
        {
            batch.Add(outcome);
        }
    }

    /// <summary>True once the batch is written; false when it was given up while stopping.</summary>
    private async Task<bool> RecordWithRetryAsync(List<ImageOutcome> batch)
    {
        // Outcomes are only ever lost with the process: while this node runs it keeps trying, and
        // its heartbeat keeps the images leased meanwhile, so nobody else redoes them. Once the
        // node is stopping it tries a few more times, then leaves them leased; the release at
        // shutdown (or the lapse of the leases after a crash) returns them to the queue.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _queue.RecordOutcomesAsync(_owner, batch, CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (!_stopping || attempt < TriesWhenStopping)
            {
                LogRecordFailed(ex, batch.Count, attempt);
                await Task.Delay(Backoff(attempt)).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogRecordAbandoned(ex, batch.Count);
                return false;
            }
        }
    }

    private static void EndSpans(List<QueuedOutcome> batch, bool written)
    {
        var current = Activity.Current;
        foreach (var (outcome, span, queuedAt) in batch)
        {
            if (span is null)
            {
                continue;
            }

            using (var write = KcTelemetry.Traces.StartActivity(KcTelemetry.OutcomeWriteSpan, ActivityKind.Internal, span.Context, startTime: queuedAt))
            {
                write?.SetTag("kc.outcome_batch.size", batch.Count);
                if (!written)
                {
                    write?.SetStatus(ActivityStatusCode.Error, "given up while the node stopped; the image returns to the queue");
                }
            }

            KcTelemetry.EndImageSpan(span, outcome);
        }

        // Ending a span makes the one before it current again: put back this loop's own.
        Activity.Current = current;
    }

    private static TimeSpan Backoff(int attempt) =>
        Common.Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} outcomes failed (try {Attempt}); retrying")]
    private partial void LogRecordFailed(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} outcomes while stopping; their images return to the queue")]
    private partial void LogRecordAbandoned(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The outcome writer failed; this node stops claiming work")]
    private partial void LogWriterFailed(Exception exception);
}

/// <summary>An outcome waiting to be written, with its image's span and when it was queued (only when traced).</summary>
internal readonly record struct QueuedOutcome(ImageOutcome Outcome, Activity? Span, DateTimeOffset QueuedAt);
