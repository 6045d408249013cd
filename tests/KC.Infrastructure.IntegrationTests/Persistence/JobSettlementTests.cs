using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Queue;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>
/// The one settling path over a real database (SQLite, or PostgreSQL), reached from each of its
/// callers: the queue's outcome batches, a cancel, and the submit of a job of unknown stores only.
/// A job settles once, and its callback is queued once, by the transaction that settled it.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class JobSettlementTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    private const string Hook = "https://hooks.example.com/kc";

    [Test]
    public async Task RecordOutcomesAsync_WhenTheLastOutcomeArrives_SettlesTheJobAndQueuesItsCallbackOnce()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));
        var claimed = await ClaimAsync();
        await RecordAsync("worker-a", Success(claimed[0]));
        var beforeTheLast = await DeliveriesAsync();
        Clock.Advance(TimeSpan.FromSeconds(4));

        await RecordAsync("worker-a", Success(claimed[1]));
        Clock.Advance(TimeSpan.FromSeconds(4));
        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[1]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(beforeTheLast, Is.Empty);
        Assert.That((stored.Status, stored.CompletedAt), Is.EqualTo((JobStatus.Completed, (DateTimeOffset?)Start.AddSeconds(4))));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start.AddSeconds(4)) }), "the replayed batch queues nothing more");
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenABatchFinishesSeveralJobs_QueuesOneCallbackForEachJobItSettled()
    {
        var completing = await Database.SaveJobAsync(WithCallback([Visit("S1", 1)]));
        var failing = await Database.SaveJobAsync(WithCallback([Visit("S2", 1)]));
        var ongoing = await Database.SaveJobAsync(WithCallback([Visit("S3", 2)]));
        var claimed = await ClaimAsync();

        await RecordAsync("worker-a", [.. claimed.Where(c => c.JobId != ongoing.Id).Select(c => c.JobId == completing.Id ? Success(c) : Failure(c))]);

        Assert.That(
            (await Database.ReadJobAsync(completing.Id)).Status,
            Is.EqualTo(JobStatus.Completed));
        Assert.That((await Database.ReadJobAsync(failing.Id)).Status, Is.EqualTo(JobStatus.Failed));
        Assert.That((await Database.ReadJobAsync(ongoing.Id)).Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(completing.Id, Start), Delivery(failing.Id, Start) }));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenTheJobWasCancelledWhileItsImagesWereInFlight_RefusesTheOutcomesAndQueuesNoSecondCallback()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));
        var claimed = await ClaimAsync();
        await CancelAsync(job.Id);
        Clock.Advance(TimeSpan.FromSeconds(4));

        await RecordAsync("worker-a", Success(claimed[0]), Failure(claimed[1]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.SucceededImages, stored.FailedImages, stored.CompletedAt), Is.EqualTo((JobStatus.Cancelled, 0, 0, (DateTimeOffset?)Start)));
        Assert.That(
            (await Database.ReadImagesAsync(job.Id)).Select(i => (i.State, i.Width, i.Error)),
            Is.All.EqualTo((ImageState.Cancelled, (int?)null, (string?)null)));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }));
    }

    [Test]
    public async Task TryCancelAsync_WhenJobIsOngoing_CancelsItsUnsettledImagesKeepsTheSettledOneAndQueuesItsCallback()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 3)]));
        var claimed = await ClaimAsync(max: 2);
        await RecordAsync("worker-a", Success(claimed[0], width: 4, height: 3));
        Clock.Advance(TimeSpan.FromSeconds(4));

        var cancellation = await CancelAsync(job.Id);

        var cancelledAt = Start.AddSeconds(4);
        var stored = await Database.ReadJobAsync(job.Id);
        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(cancellation, Is.EqualTo(JobCancellation.Of(JobStatus.Ongoing)));
        Assert.That(cancellation!.Value.Outcome, Is.EqualTo(CancelOutcome.CancelledNow));
        Assert.That((stored.Status, stored.CompletedAt), Is.EqualTo((JobStatus.Cancelled, (DateTimeOffset?)cancelledAt)));
        Assert.That((stored.TotalImages, stored.SucceededImages, stored.FailedImages), Is.EqualTo((3, 1, 0)));
        Assert.That(
            images.Select(i => (i.State, i.Perimeter, i.SettledAt, i.LeaseOwner)),
            Is.EqualTo(new[]
            {
                (ImageState.Succeeded, (long?)14, (DateTimeOffset?)Start, (string?)null),
                (ImageState.Cancelled, (long?)null, (DateTimeOffset?)cancelledAt, (string?)null),
                (ImageState.Cancelled, (long?)null, (DateTimeOffset?)cancelledAt, (string?)null),
            }),
            "the one in flight and the pending one are cancelled, the settled one keeps its result");
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, cancelledAt) }));
    }

    [Test]
    public async Task TryCancelAsync_WhenCalledTwice_AnswersAlreadyCancelledAndQueuesTheCallbackOnce()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));
        await CancelAsync(job.Id);
        Clock.Advance(TimeSpan.FromSeconds(4));

        var again = await CancelAsync(job.Id);

        Assert.That(again, Is.EqualTo(JobCancellation.Of(JobStatus.Cancelled)));
        Assert.That(again!.Value.Outcome, Is.EqualTo(CancelOutcome.AlreadyCancelled));
        Assert.That((await Database.ReadJobAsync(job.Id)).CompletedAt, Is.EqualTo(Start), "the first cancel's time stays");
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }));
    }

    [Test]
    public async Task TryCancelAsync_WhenJobHasCompleted_RefusesAndLeavesTheJobWithItsOneCallback()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 1)]));
        await RecordAsync("worker-a", [.. (await ClaimAsync()).Select(c => Success(c))]);
        Clock.Advance(TimeSpan.FromSeconds(4));

        var cancellation = await CancelAsync(job.Id);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(cancellation, Is.EqualTo(JobCancellation.Of(JobStatus.Completed)));
        Assert.That(cancellation!.Value.Outcome, Is.EqualTo(CancelOutcome.Refused));
        Assert.That((stored.Status, stored.CompletedAt), Is.EqualTo((JobStatus.Completed, (DateTimeOffset?)Start)));
        Assert.That((await Database.ReadImagesAsync(job.Id)).Single().State, Is.EqualTo(ImageState.Succeeded));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }));
    }

    [Test]
    public async Task TryCancelAsync_WhenThereIsNoSuchJob_ReturnsNullAndQueuesNothing()
    {
        var cancellation = await CancelAsync(987_654);

        Assert.That(cancellation, Is.Null);
        Assert.That(await DeliveriesAsync(), Is.Empty);
    }

    [Test]
    public async Task SaveChangesAsync_WhenEveryStoreIsUnknown_StoresTheJobFailedAndQueuesItsCallbackOnce()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("NOPE", 2)], unknownStores: ["NOPE"]));
        Clock.Advance(TimeSpan.FromSeconds(4));

        var cancellation = await CancelAsync(job.Id);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.CompletedAt), Is.EqualTo((JobStatus.Failed, (DateTimeOffset?)Start)));
        Assert.That(cancellation, Is.EqualTo(JobCancellation.Of(JobStatus.Failed)), "a job final from the start refuses a cancel");
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }));
    }

    [Test]
    public async Task SaveChangesAsync_WhenSomeStoresAreKnown_QueuesNoCallbackUntilTheirImagesSettle()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 1), Visit("NOPE", 1)], unknownStores: ["NOPE"]));
        var atSubmit = await DeliveriesAsync();
        Clock.Advance(TimeSpan.FromSeconds(4));

        await RecordAsync("worker-a", [.. (await ClaimAsync()).Select(c => Success(c))]);

        Assert.That(atSubmit, Is.Empty);
        Assert.That((await Database.ReadJobAsync(job.Id)).Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start.AddSeconds(4)) }));
    }

    [Test]
    public async Task SettleAsync_WhenTheJobWasSettledMeanwhile_SettlesNothingAndQueuesNoCallback()
    {
        // The caller read the job ongoing, but a cancel settled it before the settle statement ran.
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));
        await CancelAsync(job.Id);
        Clock.Advance(TimeSpan.FromSeconds(4));

        var settled = await SettleAsync((job.Id, JobStatus.Ongoing, new JobProgress(2, 2, 0)));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(settled, Is.Empty);
        Assert.That((stored.Status, stored.CompletedAt), Is.EqualTo((JobStatus.Cancelled, (DateTimeOffset?)Start)));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }));
    }

    [Test]
    public async Task SettleAsync_WhenCountersLeaveImagesPending_LeavesTheJobOngoing()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));

        var settled = await SettleAsync((job.Id, JobStatus.Ongoing, new JobProgress(2, 1, 0)));

        Assert.That(settled, Is.Empty);
        Assert.That((await Database.ReadJobAsync(job.Id)).Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(await DeliveriesAsync(), Is.Empty);
    }

    [Test]
    public async Task SettleAsync_WhenTheJobHasNoCallbackUrl_SettlesItAndQueuesNothing()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));

        var settled = await SettleAsync((job.Id, JobStatus.Ongoing, new JobProgress(1, 0, 1)));

        Assert.That(settled, Is.EqualTo(new[] { job.Id }));
        Assert.That((await Database.ReadJobAsync(job.Id)).Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(await DeliveriesAsync(), Is.Empty);
    }

    [Test]
    public async Task TryRetryAsync_WhenJobFailed_RequeuesItsFailedImagesReopensItAndQueuesAFreshCallbackWhenItSettlesAgain()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 2)]));
        var claimed = await ClaimAsync();
        await RecordAsync("worker-a", Success(claimed[0]), Failure(claimed[1], attempts: 2));
        Clock.Advance(TimeSpan.FromSeconds(4));

        var retry = await RetryAsync(job.Id);
        var reopened = await Database.ReadJobAsync(job.Id);
        var deliveriesWhileOngoing = await DeliveriesAsync();
        var requeued = await ClaimAsync();
        await RecordAsync("worker-a", Success(requeued[0]));

        var settled = await Database.ReadJobAsync(job.Id);
        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That((retry?.Outcome, retry?.Requeued), Is.EqualTo(((RetryOutcome?)RetryOutcome.Requeued, (int?)1)));
        Assert.That((reopened.Status, reopened.FailedImages, reopened.CompletedAt), Is.EqualTo((JobStatus.Ongoing, 0, (DateTimeOffset?)null)));
        Assert.That(deliveriesWhileOngoing, Is.Empty, "the first settling's delivery is gone");
        Assert.That(requeued.Select(c => c.ImageId), Is.EqualTo(new[] { claimed[1].ImageId }), "only the failed image is claimed again");
        Assert.That((settled.Status, settled.SucceededImages, settled.FailedImages), Is.EqualTo((JobStatus.Completed, 2, 0)));
        Assert.That(images.Select(i => (i.State, i.Attempts)), Is.EqualTo(new[] { (ImageState.Succeeded, 1), (ImageState.Succeeded, 3) }));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start.AddSeconds(4)) }));
    }

    [Test]
    public async Task TryRetryAsync_WhenTheUnknownStoreWasImportedSince_RequeuesItsImagesAndLeavesOtherUnknownStoresFailed()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("LATE", 1), Visit("NEVER", 1)], unknownStores: ["LATE", "NEVER"]));
        await Database.SeedStoresAsync(NewStore("LATE", "LATE STORE"));

        var retry = await RetryAsync(job.Id);

        var images = await Database.ReadImagesAsync(job.Id);
        var visits = await Database.ReadVisitsAsync(job.Id);
        Assert.That(retry?.Outcome, Is.EqualTo(RetryOutcome.Requeued));
        Assert.That(images.Select(i => (i.State, i.Error)), Is.EqualTo(new[] { (ImageState.Pending, (string?)null), (ImageState.Failed, (string?)"unknown store_id") }));
        Assert.That(visits.Select(v => (v.StoreId, v.StoreKnown)), Is.EqualTo(new[] { ("LATE", true), ("NEVER", false) }));
        Assert.That((await Database.ReadJobAsync(job.Id)).FailedImages, Is.EqualTo(1));
    }

    [Test]
    public async Task TryRetryAsync_WhenOnlyUnknownStoresFailed_ChangesNothing()
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("NOPE", 2)], unknownStores: ["NOPE"]));

        var retry = await RetryAsync(job.Id);

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(retry?.Outcome, Is.EqualTo(RetryOutcome.NothingToRetry));
        Assert.That((stored.Status, stored.FailedImages, stored.CompletedAt), Is.EqualTo((JobStatus.Failed, 2, (DateTimeOffset?)Start)));
        Assert.That(await DeliveriesAsync(), Is.EqualTo(new[] { Delivery(job.Id, Start) }), "its delivery is kept");
    }

    [TestCase(JobStatus.Completed)]
    [TestCase(JobStatus.Cancelled)]
    public async Task TryRetryAsync_WhenJobDidNotFail_RefusesAndLeavesItAsItWas(JobStatus status)
    {
        var job = await Database.SaveJobAsync(WithCallback([Visit("S1", 1)]));
        var claimed = await ClaimAsync();
        if (status == JobStatus.Completed)
        {
            await RecordAsync("worker-a", Success(claimed[0]));
        }
        else
        {
            await CancelAsync(job.Id);
        }

        var retry = await RetryAsync(job.Id);

        Assert.That((retry?.Outcome, retry?.Found), Is.EqualTo(((RetryOutcome?)RetryOutcome.Refused, (JobStatus?)status)));
        Assert.That((await Database.ReadJobAsync(job.Id)).Status, Is.EqualTo(status));
    }

    [Test]
    public async Task TryRetryAsync_WhenThereIsNoSuchJob_ReturnsNull()
    {
        var retry = await RetryAsync(987654);

        Assert.That(retry, Is.Null);
    }

    private static Job WithCallback(IReadOnlyCollection<NewVisit> visits, IReadOnlyCollection<string>? unknownStores = null) =>
        Job.Submit(visits, storeId => unknownStores is null || !unknownStores.Contains(storeId), Start, Hook);

    private static (long JobId, string Url, CallbackStatus State, int Attempts, DateTimeOffset CreatedAt) Delivery(long jobId, DateTimeOffset createdAt) =>
        (jobId, Hook, CallbackStatus.Pending, 0, createdAt);

    private async Task<JobCancellation?> CancelAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        return await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryCancelAsync(jobId, Clock.GetUtcNow(), CancellationToken.None);
    }

    private async Task<JobRetry?> RetryAsync(long jobId)
    {
        await using var db = Database.CreateContext();
        return await new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).TryRetryAsync(jobId, CancellationToken.None);
    }

    private async Task<IReadOnlyList<long>> SettleAsync(params (long JobId, JobStatus Current, JobProgress Progress)[] counted)
    {
        await using var db = Database.CreateContext();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync();
        var settled = await JobSettlement.SettleAsync(connection, transaction, counted, Clock.GetUtcNow(), CancellationToken.None);
        await transaction.CommitAsync();
        return settled.Select(s => s.JobId).ToList();
    }

    private async Task<IReadOnlyList<(long JobId, string Url, CallbackStatus State, int Attempts, DateTimeOffset CreatedAt)>> DeliveriesAsync()
    {
        await using var db = Database.CreateContext();
        var rows = await db.Set<CallbackDelivery>().AsNoTracking()
            .OrderBy(d => d.JobId)
            .Select(d => new { d.JobId, d.Url, d.State, d.Attempts, d.CreatedAt })
            .ToListAsync();
        return rows.Select(r => (r.JobId, r.Url, r.State, r.Attempts, r.CreatedAt)).ToList();
    }
}
