using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Callbacks;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Microsoft.EntityFrameworkCore;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Callbacks;

/// <summary>
/// The callback queue over a real database (SQLite, or PostgreSQL): a delivery row is written by every transaction that
/// settles a job with a callback URL, and claimed, leased and recorded like an image.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class CallbackQueueTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string Hook = "https://hooks.example.com/kc";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(50);

    private FakeTimeProvider _clock = null!;
    private CallbackStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(Now);
        _store = new CallbackStore(Database.Factory, _clock);
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenAJobWithACallbackSettles_QueuesItsDelivery()
    {
        var withCallback = await Database.SaveJobAsync(Job.Submit([Visit("S1", 1)], _ => true, Now, Hook));
        var without = await Database.SaveJobAsync(JobWithImages(1));
        var queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), _clock, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        var claimed = await queue.ClaimAsync("worker", 10, CancellationToken.None);

        await queue.RecordOutcomesAsync("worker", claimed.Select(c => ImageOutcome.Succeeded(c, new ImageSize(4, 3), 1, null)).ToList(), CancellationToken.None);

        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { (withCallback.Id, Hook, CallbackStatus.Pending, 0) }), $"none for job {without.Id}");
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenTheJobIsNotSettledYet_QueuesNothing()
    {
        await Database.SaveJobAsync(Job.Submit([Visit("S1", 2)], _ => true, Now, Hook));
        var queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), _clock, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        var claimed = await queue.ClaimAsync("worker", 1, CancellationToken.None);

        await queue.RecordOutcomesAsync("worker", [ImageOutcome.Succeeded(claimed[0], new ImageSize(4, 3), 1, null)], CancellationToken.None);

        Assert.That(await DeliveriesAsync(), Is.Empty);
    }

    [Test]
    public async Task TryCancelAsync_WhenTheJobHasACallback_QueuesItsDelivery()
    {
        var job = await Database.SaveJobAsync(Job.Submit([Visit("S1", 2)], _ => true, Now, Hook));

        await using (var db = Database.CreateContext())
        {
            await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryCancelAsync(job.Id, Now, CancellationToken.None);
        }

        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { (job.Id, Hook, CallbackStatus.Pending, 0) }));
    }

    [Test]
    public async Task SaveChangesAsync_WhenEveryStoreIsUnknown_QueuesTheCallbackWithTheJob()
    {
        var job = await Database.SaveJobAsync(Job.Submit([Visit("S1", 2)], _ => false, Now, Hook));

        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { (job.Id, Hook, CallbackStatus.Pending, 0) }));
    }

    [Test]
    public async Task ClaimDueAsync_WhenClaimedAlready_IsNotClaimedAgainUntilTheLeaseLapses()
    {
        var job = await SettledJobWithCallbackAsync();

        var first = await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);
        var whileLeased = await _store.ClaimDueAsync("node-b", 10, Lease, CancellationToken.None);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var afterLapse = await _store.ClaimDueAsync("node-b", 10, Lease, CancellationToken.None);

        Assert.That(first, Is.EqualTo(new[] { new DueCallback(job.Id, Hook, 0) }));
        Assert.That(whileLeased, Is.Empty);
        Assert.That(afterLapse, Is.EqualTo(new[] { new DueCallback(job.Id, Hook, 0) }));
    }

    [Test]
    public async Task RecordAttemptAsync_WhenRetryIsDue_StoresTheAttemptAndWaitsUntilTheNextAttemptTime()
    {
        var job = await SettledJobWithCallbackAsync();
        await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);

        var recorded = await _store.RecordAttemptAsync("node-a", job.Id, new CallbackAttemptView(Now, 500, "HTTP 500"), CallbackStatus.Pending, Now.AddSeconds(5), CancellationToken.None);
        var tooEarly = await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var due = await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);

        Assert.That(recorded, Is.True);
        Assert.That(tooEarly, Is.Empty);
        Assert.That(due, Is.EqualTo(new[] { new DueCallback(job.Id, Hook, 1) }));
        Assert.That(await ReadCallbackAsync(job.Id), Is.EqualTo(new CallbackView(Hook, CallbackStatus.Pending, [new CallbackAttemptView(Now, 500, "HTTP 500")])).Using(CallbackViewComparer.Instance));
    }

    [Test]
    public async Task RecordAttemptAsync_WhenAnotherNodeHoldsTheClaim_RecordsNothing()
    {
        var job = await SettledJobWithCallbackAsync();
        await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await _store.ClaimDueAsync("node-b", 10, Lease, CancellationToken.None);

        var recorded = await _store.RecordAttemptAsync("node-a", job.Id, new CallbackAttemptView(Now, 200, null), CallbackStatus.Delivered, Now, CancellationToken.None);

        Assert.That(recorded, Is.False);
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { (job.Id, Hook, CallbackStatus.Pending, 0) }));
    }

    [Test]
    public async Task ClaimDueAsync_WhenDelivered_NeverClaimsItAgain()
    {
        var job = await SettledJobWithCallbackAsync();
        await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);
        await _store.RecordAttemptAsync("node-a", job.Id, new CallbackAttemptView(Now, 204, null), CallbackStatus.Delivered, Now, CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));

        var claimed = await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);

        Assert.That(claimed, Is.Empty);
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { (job.Id, Hook, CallbackStatus.Delivered, 1) }));
    }

    [Test]
    public async Task ReleaseLeasesAsync_WhenTheNodeRestarts_MakesItsClaimsDueAtOnce()
    {
        var job = await SettledJobWithCallbackAsync();
        await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);

        var released = await _store.ReleaseLeasesAsync("node-a", CancellationToken.None);
        var claimed = await _store.ClaimDueAsync("node-a", 10, Lease, CancellationToken.None);

        Assert.That(released, Is.EqualTo(1));
        Assert.That(claimed, Is.EqualTo(new[] { new DueCallback(job.Id, Hook, 0) }));
    }

    [Test]
    public async Task ReadStatusAsync_WhenTheJobFailed_IsTheJobsStatusWithItsErrors()
    {
        var job = await SettledJobWithCallbackAsync();

        var status = await _store.ReadStatusAsync(job.Id, CancellationToken.None);

        Assert.That(status, Is.Not.Null);
        Assert.That((status!.JobId, status.Status, status.Progress), Is.EqualTo((job.Id, JobStatus.Failed, new JobProgress(1, 0, 1))));
        Assert.That(status.Errors, Is.EqualTo(new[] { new StoreError("S1", "unknown store_id") }));
    }

    [TestCase(1, 0.0, 500)]
    [TestCase(1, 0.999999, 1000)]
    [TestCase(2, 0.0, 1000)]
    [TestCase(3, 0.0, 2000)]
    [TestCase(20, 0.0, 2500)]
    public void RetryDelay_WhenAttemptsFailed_DoublesWithJitterUpToTheCap(int attemptsMade, double random, int expectedMilliseconds)
    {
        var options = new CallbackOptions { RetryDelayMilliseconds = 1_000, MaxRetryDelaySeconds = 5 };

        var delay = options.RetryDelay(attemptsMade, random);

        Assert.That(delay.TotalMilliseconds, Is.EqualTo(expectedMilliseconds).Within(1));
    }

    private Task<Job> SettledJobWithCallbackAsync() =>
        Database.SaveJobAsync(Job.Submit([Visit("S1", 1)], _ => false, Now, Hook));

    private async Task<IReadOnlyList<(long JobId, string Url, CallbackStatus State, int Attempts)>> DeliveriesAsync()
    {
        await using var db = Database.CreateContext();
        var rows = await db.Set<CallbackDelivery>().AsNoTracking().OrderBy(d => d.JobId).Select(d => new { d.JobId, d.Url, d.State, d.Attempts }).ToListAsync();
        return rows.Select(r => (r.JobId, r.Url, r.State, r.Attempts)).ToList();
    }

    private async Task<CallbackView?> ReadCallbackAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        return await CallbackReads.GetAsync(db, jobId, Hook, CancellationToken.None);
    }

    /// <summary>Compares views by value, attempts included (records compare lists by reference).</summary>
    private sealed class CallbackViewComparer : IEqualityComparer<CallbackView>
    {
        public static readonly CallbackViewComparer Instance = new();

        public bool Equals(CallbackView? x, CallbackView? y) =>
            x is not null && y is not null && x.Url == y.Url && x.Status == y.Status && x.Attempts.SequenceEqual(y.Attempts);

        public int GetHashCode(CallbackView obj) => obj.Url.GetHashCode(StringComparison.Ordinal);
    }
}
