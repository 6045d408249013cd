using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Queue;

/// <summary>A real database per test (SQLite, or PostgreSQL), and the queue over it on a clock the test moves.</summary>
public abstract class SqlWorkQueueTestBase(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected const int LeaseSeconds = 30;

    private protected FakeTimeProvider Clock { get; private set; } = null!;

    private protected SqlWorkQueue Queue { get; private set; } = null!;

    protected static DateTimeOffset Start => TestData.Now;

    [SetUp]
    public void SetUpQueue()
    {
        Clock = new FakeTimeProvider(Start);
        Queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions { LeaseSeconds = LeaseSeconds }, Clock, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
    }

    protected static ImageOutcome Success(ClaimedImage image, int width = 640, int height = 480, int attempts = 1, string? lastError = null) =>
        ImageOutcome.Succeeded(image, new ImageSize(width, height), attempts, lastError);

    protected static ImageOutcome Failure(ClaimedImage image, string error = "HTTP 404", int attempts = 1) =>
        ImageOutcome.Failed(image, error, attempts);

    protected Task<IReadOnlyList<ClaimedImage>> ClaimAsync(string owner = "worker-a", int max = 100) =>
        Queue.ClaimAsync(owner, max, CancellationToken.None);

    protected Task RecordAsync(string owner, params ImageOutcome[] outcomes) =>
        Queue.RecordOutcomesAsync(owner, outcomes, CancellationToken.None);

    /// <summary>The lease expiry the queue writes for a claim or renewal made at <paramref name="at"/>, in Unix milliseconds.</summary>
    protected static long LeaseExpiry(DateTimeOffset at) => at.AddSeconds(LeaseSeconds).ToUnixTimeMilliseconds();

    /// <summary>The (job, position) of each claimed image, in the order the queue returned them.</summary>
    private protected async Task<IReadOnlyList<(long JobId, int Seq)>> PositionsAsync(IEnumerable<ClaimedImage> claimed)
    {
        var rows = (await Database.ReadImagesAsync()).ToDictionary(i => i.Id);
        return claimed.Select(c => (rows[c.ImageId].JobId, rows[c.ImageId].Seq)).ToList();
    }
}
