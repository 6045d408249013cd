using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace KC.Application.Processing;

/// <summary>
/// Writes this node's outcomes to the queue in batches: up to <c>Processing:OutcomeBatchSize</c>
/// per transaction, waiting up to <c>Processing:OutcomeFlushMilliseconds</c> for a batch to fill.
/// Queuing an outcome never blocks the image that produced it.
/// </summary>
internal sealed partial class OutcomeWriter : IDisposable
{
    /// <summary>Tries a batch gets once the node is stopping.</summary>
    private const int TriesWhenStopping = 3;

    private readonly IWorkQueue _queue;
    private readonly ProcessingOptions _options;
    private readonly string _owner;
    private readonly ILogger<OutcomeWriter> _logger;
    private readonly Channel<ImageOutcome> _outcomes = Channel.CreateUnbounded<ImageOutcome>(
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

    public void Write(ImageOutcome outcome) => _outcomes.Writer.TryWrite(outcome);

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
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _queue.RecordOutcomesAsync(_owner, batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!_stopping || attempt < TriesWhenStopping)
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

    private static TimeSpan Backoff(int attempt) =>
        Common.Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} outcomes failed (try {Attempt}); retrying")]
    private partial void LogRecordFailed(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} outcomes while stopping; their images return to the queue")]
    private partial void LogRecordAbandoned(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The outcome writer failed; this node stops claiming work")]
    private partial void LogWriterFailed(Exception exception);
}
