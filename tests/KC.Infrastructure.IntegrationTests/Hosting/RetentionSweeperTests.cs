using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.Callbacks;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Hosting;

/// <summary>Retention over a real database: which jobs go, what goes with them, and one node at a time.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class RetentionSweeperTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string Hook = "https://hooks.example.com/kc";

    private FakeTimeProvider _clock = null!;
    private SqlWorkQueue _queue = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(Now);
        _queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), _clock, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
    }

    [Test]
    public async Task SweepAsync_RemovesFinishedJobsOlderThanTheRetentionWithAllTheirRowsAndKeepsTheRest()
    {
        var oldCompleted = await Database.SaveJobAsync(JobWithImages(5, "S1"));
        var oldFailed = await Database.SaveJobAsync(NewJob([Visit("S2", 2)], unknownStores: ["S2"]));
        await ProcessEverythingAsync();
        _clock.Advance(TimeSpan.FromDays(2));
        var ongoing = await Database.SaveJobAsync(JobWithImages(2, "S3"));
        var recentFailed = await Database.SaveJobAsync(NewJob([Visit("S4", 1)], unknownStores: ["S4"], submittedAt: _clock.GetUtcNow()));

        var sweep = await Sweeper(batchSize: 2).SweepAsync(CancellationToken.None);

        Assert.That(sweep, Is.EqualTo(new RetentionSweep(Skipped: false, Jobs: 2, Images: 7)));
        Assert.That(await JobIdsAsync(), Is.EqualTo(new[] { ongoing.Id, recentFailed.Id }));
        await using var db = Database.CreateContext();
        Assert.That(await db.Images.CountAsync(i => i.JobId == oldCompleted.Id || i.JobId == oldFailed.Id), Is.Zero);
        Assert.That(await db.Visits.CountAsync(v => v.JobId == oldCompleted.Id || v.JobId == oldFailed.Id), Is.Zero);
        Assert.That(await db.Images.CountAsync(), Is.EqualTo(3));
    }

    [Test]
    public async Task SweepAsync_WhenACancelledJobIsOlderThanTheRetention_RemovesItWithItsImages()
    {
        var cancelled = await Database.SaveJobAsync(JobWithImages(3, "S1"));
        await _queue.ClaimAsync("worker", 1, CancellationToken.None);
        await using (var db = Database.CreateContext())
        {
            await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryCancelAsync(cancelled.Id, _clock.GetUtcNow(), CancellationToken.None);
        }

        _clock.Advance(TimeSpan.FromDays(2));
        var ongoing = await Database.SaveJobAsync(JobWithImages(1, "S2"));

        var sweep = await Sweeper().SweepAsync(CancellationToken.None);

        Assert.That(sweep, Is.EqualTo(new RetentionSweep(Skipped: false, Jobs: 1, Images: 3)));
        Assert.That(await JobIdsAsync(), Is.EqualTo(new[] { ongoing.Id }));
    }

    [Test]
    public async Task SweepAsync_WhenAJobsCallbackIsStillPending_KeepsTheJobUntilTheDeliveryEnds()
    {
        var job = await Database.SaveJobAsync(Job.Submit([Visit("S1", 1)], _ => false, Now, Hook));
        _clock.Advance(TimeSpan.FromDays(2));
        var store = new CallbackStore(Database.Factory, _clock);

        var whilePending = await Sweeper().SweepAsync(CancellationToken.None);
        await store.ClaimDueAsync("node-a", 10, TimeSpan.FromMinutes(1), CancellationToken.None);
        await store.RecordAttemptAsync("node-a", job.Id, new CallbackAttemptView(_clock.GetUtcNow(), 204, null), CallbackStatus.Delivered, _clock.GetUtcNow(), CancellationToken.None);
        var afterDelivery = await Sweeper().SweepAsync(CancellationToken.None);

        Assert.That(whilePending.Jobs, Is.Zero);
        Assert.That(afterDelivery.Jobs, Is.EqualTo(1));
        Assert.That(await JobIdsAsync(), Is.Empty);
    }

    [Test]
    public async Task SweepAsync_WhileAnotherNodeHoldsTheSweep_RemovesNothingUntilItsLeaseLapses()
    {
        await Database.SaveJobAsync(NewJob([Visit("S1", 1)], unknownStores: ["S1"]));
        _clock.Advance(TimeSpan.FromDays(2));
        await Sweeper(node: "node-b").SweepAsync(CancellationToken.None);
        await Database.SaveJobAsync(NewJob([Visit("S2", 1)], unknownStores: ["S2"]));
        _clock.Advance(TimeSpan.FromDays(2));
        await using (var db = Database.CreateContext())
        {
            // node-b is mid-sweep: it holds the lease for the next ten minutes.
            var until = _clock.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds();
            await db.Database.ExecuteSqlAsync($"UPDATE maintenance_leases SET owner = {"node-b"}, expires_at = {until}");
        }

        var whileHeld = await Sweeper(node: "node-a").SweepAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(11));
        var afterLapse = await Sweeper(node: "node-a").SweepAsync(CancellationToken.None);

        Assert.That(whileHeld, Is.EqualTo(new RetentionSweep(Skipped: true, 0, 0)));
        Assert.That(afterLapse, Is.EqualTo(new RetentionSweep(Skipped: false, 1, 1)));
    }

    [Test]
    public async Task SweepAsync_WhenTwoNodesSweepAtOnce_RemovesEachJobOnce()
    {
        for (var i = 0; i < 30; i++)
        {
            await Database.SaveJobAsync(NewJob([Visit($"S{i}", 3)], unknownStores: [$"S{i}"]));
        }

        _clock.Advance(TimeSpan.FromDays(2));

        var sweeps = await Task.WhenAll(
            Task.Run(() => Sweeper(node: "node-a", batchSize: 1).SweepAsync(CancellationToken.None)),
            Task.Run(() => Sweeper(node: "node-b", batchSize: 1).SweepAsync(CancellationToken.None)));

        Assert.That(sweeps.Sum(s => s.Jobs), Is.EqualTo(30));
        Assert.That(sweeps.Sum(s => s.Images), Is.EqualTo(90));
        Assert.That(await JobIdsAsync(), Is.Empty);
    }

    private RetentionSweeper Sweeper(string node = "node-a", int batchSize = 5_000) => new(
        Database.Factory,
        Options.Create(new RetentionOptions { Days = 1, BatchSize = batchSize }),
        new NodeIdentity(node, NodeRole.Worker),
        _clock,
        NullLogger<RetentionSweeper>.Instance);

    private async Task ProcessEverythingAsync()
    {
        var claimed = await _queue.ClaimAsync("worker", 100, CancellationToken.None);
        await _queue.RecordOutcomesAsync("worker", claimed.Select(c => ImageOutcome.Succeeded(c, new ImageSize(4, 3), 1, null)).ToList(), CancellationToken.None);
    }

    private async Task<List<long>> JobIdsAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Jobs.OrderBy(j => j.Id).Select(j => j.Id).ToListAsync();
    }
}
