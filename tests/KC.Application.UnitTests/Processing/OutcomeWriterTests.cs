using KC.Application.Processing;
using KC.Domain.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OutcomeWriterTests
{
    private const string Owner = "node-a/0123456789abcdef";

    /// <summary>Generous, so that a bug fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Mock<IWorkQueue> _queue = new(MockBehavior.Strict);
    private readonly List<ImageOutcome[]> _written = [];

    private static ImageOutcome Outcome(long imageId) =>
        new(imageId, JobId: 10, new ImageSize(600, 400), Error: null);

    [SetUp]
    public void RecordWrites() =>
        _queue.Setup(q => q.RecordOutcomesAsync(Owner, It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()))
            .Callback((string _, IReadOnlyList<ImageOutcome> batch, CancellationToken _) => _written.Add([.. batch]))
            .Returns(Task.CompletedTask);

    [Test]
    public async Task RunAsync_WhenOutcomesAreWaiting_WritesThemAllInOrderInBatchesOfAtMostTheBatchSize()
    {
        using var writer = Writer(batchSize: 2);
        foreach (var id in new long[] { 1, 2, 3, 4, 5 })
        {
            writer.Write(Outcome(id));
        }

        writer.Complete();
        await writer.RunAsync().WaitAsync(Timeout);

        Assert.That(_written.Select(b => b.Select(o => o.ImageId)), Is.EqualTo(new[] { new long[] { 1, 2 }, [3, 4], [5] }));
    }

    [Test]
    public async Task RunAsync_WhenCompletedWithNothingWritten_EndsWithoutTouchingTheQueue()
    {
        using var writer = Writer();

        writer.Complete();
        await writer.RunAsync().WaitAsync(Timeout);

        _queue.Verify(q => q.RecordOutcomesAsync(It.IsAny<string>(), It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task RunAsync_WhenTheQueueFailsWhileTheNodeRuns_RetriesTheBatchBeyondTheStoppingLimitUntilItIsWritten()
    {
        var calls = 0;
        _queue.Setup(q => q.RecordOutcomesAsync(Owner, It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()))
            .Returns((string _, IReadOnlyList<ImageOutcome> batch, CancellationToken _) =>
            {
                if (++calls <= 3)
                {
                    throw new InvalidOperationException("database is locked");
                }

                _written.Add([.. batch]);
                return Task.CompletedTask;
            });
        using var writer = Writer();
        writer.Write(Outcome(1));
        writer.Write(Outcome(2));

        writer.Complete();
        await writer.RunAsync().WaitAsync(Timeout);

        Assert.That(calls, Is.EqualTo(4));
        Assert.That(_written.Single().Select(o => o.ImageId), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task RunAsync_WhenTheQueueKeepsFailingWhileTheNodeStops_GivesTheBatchUpAfterThreeTries()
    {
        _queue.Setup(q => q.RecordOutcomesAsync(Owner, It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("database is gone"));
        using var writer = Writer();
        writer.Write(Outcome(1));

        writer.NodeStopping();
        writer.Complete();
        await writer.RunAsync().WaitAsync(Timeout);

        _queue.Verify(q => q.RecordOutcomesAsync(Owner, It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        Assert.That(writer.Failed.IsCancellationRequested, Is.False, "giving up a batch is not a broken writer");
    }

    [Test]
    public void RunAsync_WhenTheWriterItselfBreaks_ThrowsAndSignalsFailed()
    {
        // Nothing the queue throws breaks the writer; a bug in its own retry path does.
        _queue.Setup(q => q.RecordOutcomesAsync(Owner, It.IsAny<IReadOnlyList<ImageOutcome>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("database is locked"));
        using var writer = new OutcomeWriter(_queue.Object, new ProcessingOptions(), Owner, new LoggerThatThrowsOnWarnings());
        writer.Write(Outcome(1));

        Assert.That(async () => await writer.RunAsync().WaitAsync(Timeout), Throws.TypeOf<NotSupportedException>());
        Assert.That(writer.Failed.IsCancellationRequested, Is.True);
    }

    private OutcomeWriter Writer(int batchSize = 512) => new(
        _queue.Object,
        new ProcessingOptions { OutcomeBatchSize = batchSize, OutcomeFlushMilliseconds = 0 },
        Owner,
        NullLogger<OutcomeWriter>.Instance);

    private sealed class LoggerThatThrowsOnWarnings : ILogger<OutcomeWriter>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                throw new NotSupportedException("the log is broken");
            }
        }
    }
}
