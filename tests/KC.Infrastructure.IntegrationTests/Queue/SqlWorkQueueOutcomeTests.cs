using KC.Application.Processing;
using KC.Domain.Jobs;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.Queue;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SqlWorkQueueOutcomeTests(DatabaseProvider provider) : SqlWorkQueueTestBase(provider)
{
    [Test]
    public async Task RecordOutcomesAsync_WhenImageSucceeded_StoresSizeAndPerimeterAndClearsLease()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync("worker-a");
        Clock.Advance(TimeSpan.FromSeconds(5));

        await RecordAsync("worker-a", Success(claimed[0], width: 640, height: 480));

        var image = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That(image.State, Is.EqualTo(ImageState.Succeeded));
        Assert.That((image.Width, image.Height, image.Perimeter), Is.EqualTo(((int?)640, (int?)480, (long?)2_240)));
        Assert.That(image.Error, Is.Null);
        Assert.That(image.SettledAt, Is.EqualTo(Start.AddSeconds(5)));
        Assert.That(image.LeaseOwner, Is.Null);
        Assert.That(image.LeaseExpiresAt, Is.Null);
        Assert.That(image.Attempts, Is.EqualTo(1));
        Assert.That(image.LastError, Is.Null);
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenImageIsHuge_StoresPerimeterBeyondInt32()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", Success(claimed[0], width: int.MaxValue, height: int.MaxValue));

        var image = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That(image.Perimeter, Is.EqualTo(4L * int.MaxValue));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenImageFailed_StoresErrorAndClearsLease()
    {
        await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", Failure(claimed[0], "HTTP 404"));

        var image = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That(image.State, Is.EqualTo(ImageState.Failed));
        Assert.That(image.Error, Is.EqualTo("HTTP 404"));
        Assert.That((image.Width, image.Height, image.Perimeter), Is.EqualTo(((int?)null, (int?)null, (long?)null)));
        Assert.That(image.SettledAt, Is.EqualTo(Start));
        Assert.That(image.LeaseOwner, Is.Null);
        Assert.That(image.LeaseExpiresAt, Is.Null);
        Assert.That(image.Attempts, Is.EqualTo(1));
        Assert.That(image.LastError, Is.EqualTo("HTTP 404"));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeTookSeveralAttempts_AddsThemToTheRowsAttempts()
    {
        var job = await Database.SaveJobAsync(JobWithImages(2));
        var images = await Database.ReadImagesAsync(job.Id);
        await Database.SetAttemptsAsync(images[1].Id, 2);
        var claimed = (await ClaimAsync("worker-a")).ToDictionary(c => c.ImageId);

        await RecordAsync("worker-a", Success(claimed[images[0].Id], attempts: 3), Failure(claimed[images[1].Id], "HTTP 500", attempts: 3));

        Assert.That((await Database.ReadImageAsync(images[0].Id)).Attempts, Is.EqualTo(3));
        Assert.That((await Database.ReadImageAsync(images[1].Id)).Attempts, Is.EqualTo(2 + 3), "the attempts of an earlier claim are kept");
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenSuccessFollowedAFailedAttempt_KeepsItsLastError()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        var claimed = (await ClaimAsync("worker-a")).Single();

        await RecordAsync("worker-a", Success(claimed, attempts: 3, lastError: "HTTP 503"));

        var image = await Database.ReadImageAsync(claimed.ImageId);
        Assert.That(image.State, Is.EqualTo(ImageState.Succeeded));
        Assert.That(image.Error, Is.Null);
        Assert.That((image.Attempts, image.LastError), Is.EqualTo((3, (string?)"HTTP 503")));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeHasNoLastError_KeepsTheEarlierOne()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        var imageId = (await Database.ReadImagesAsync()).Single().Id;
        await Database.SetAttemptsAsync(imageId, 2, "HTTP 502");
        var claimed = (await ClaimAsync("worker-a")).Single();

        await RecordAsync("worker-a", Success(claimed, attempts: 1, lastError: null));

        var image = await Database.ReadImageAsync(imageId);
        Assert.That((image.State, image.Attempts, image.LastError), Is.EqualTo((ImageState.Succeeded, 3, (string?)"HTTP 502")));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeHasALastError_ReplacesTheEarlierOne()
    {
        await Database.SaveJobAsync(JobWithImages(1));
        var imageId = (await Database.ReadImagesAsync()).Single().Id;
        await Database.SetAttemptsAsync(imageId, 1, "HTTP 502");
        var claimed = (await ClaimAsync("worker-a")).Single();

        await RecordAsync("worker-a", Failure(claimed, "HTTP 404"));

        var image = await Database.ReadImageAsync(imageId);
        Assert.That((image.Error, image.Attempts, image.LastError), Is.EqualTo(((string?)"HTTP 404", 2, (string?)"HTTP 404")));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenSomeImagesSettle_UpdatesCountersAndKeepsJobOngoing()
    {
        var job = await Database.SaveJobAsync(JobWithImages(4));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[1]), Failure(claimed[2]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.TotalImages, stored.SucceededImages, stored.FailedImages), Is.EqualTo((4, 2, 1)));
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(stored.CompletedAt, Is.Null);
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenEveryImageSucceeded_CompletesJobWithCompletedAt()
    {
        var job = await Database.SaveJobAsync(JobWithImages(3));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[1]));
        Clock.Advance(TimeSpan.FromSeconds(4));

        await RecordAsync("worker-a", Success(claimed[2]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Completed));
        Assert.That((stored.SucceededImages, stored.FailedImages), Is.EqualTo((3, 0)));
        Assert.That(stored.CompletedAt, Is.EqualTo(Start.AddSeconds(4)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenAnImageFailed_FailsJobOnlyOnceAllHaveSettled()
    {
        var job = await Database.SaveJobAsync(JobWithImages(3));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Failure(claimed[0]));
        var afterFirstFailure = await Database.ReadJobAsync(job.Id);
        Clock.Advance(TimeSpan.FromSeconds(2));

        await RecordAsync("worker-a", Success(claimed[1]), Success(claimed[2]));

        Assert.That(afterFirstFailure.Status, Is.EqualTo(JobStatus.Ongoing));
        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That((stored.SucceededImages, stored.FailedImages), Is.EqualTo((2, 1)));
        Assert.That(stored.CompletedAt, Is.EqualTo(Start.AddSeconds(2)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenUnknownStoreImagesAndEveryOtherSucceeded_FailsJob()
    {
        var job = await Database.SaveJobAsync(NewJob([Visit("S1", 2), Visit("NOPE", 1)], unknownStores: ["NOPE"]));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[1]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That((stored.TotalImages, stored.SucceededImages, stored.FailedImages), Is.EqualTo((3, 2, 1)));
        Assert.That(stored.CompletedAt, Is.EqualTo(Start));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomesSpanSeveralJobs_UpdatesEachJob()
    {
        var jobA = await Database.SaveJobAsync(JobWithImages(2, "S-A"));
        var jobB = await Database.SaveJobAsync(JobWithImages(2, "S-B"));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", [.. claimed.Select(c => c.JobId == jobA.Id ? Success(c) : Failure(c))]);

        var storedA = await Database.ReadJobAsync(jobA.Id);
        var storedB = await Database.ReadJobAsync(jobB.Id);
        Assert.That((storedA.Status, storedA.SucceededImages, storedA.FailedImages), Is.EqualTo((JobStatus.Completed, 2, 0)));
        Assert.That((storedB.Status, storedB.SucceededImages, storedB.FailedImages), Is.EqualTo((JobStatus.Failed, 0, 2)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeNamesAnotherJob_CountsItForTheJobItsImageBelongsTo()
    {
        var owner = await Database.SaveJobAsync(JobWithImages(1, "S-A"));
        var other = await Database.SaveJobAsync(JobWithImages(1, "S-B"));
        var claimed = (await ClaimAsync("worker-a")).Single(c => c.JobId == owner.Id);

        await RecordAsync("worker-a", Success(claimed with { JobId = other.Id }));

        var storedOwner = await Database.ReadJobAsync(owner.Id);
        var storedOther = await Database.ReadJobAsync(other.Id);
        Assert.That((storedOwner.Status, storedOwner.SucceededImages), Is.EqualTo((JobStatus.Completed, 1)));
        Assert.That((storedOther.Status, storedOther.SucceededImages, storedOther.FailedImages), Is.EqualTo((JobStatus.Ongoing, 0, 0)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenSameOutcomeIsRecordedTwice_CountsItOnce()
    {
        var job = await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0], attempts: 2, lastError: "HTTP 503"));

        await RecordAsync("worker-a", Success(claimed[0], attempts: 2, lastError: "HTTP 503"));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.SucceededImages, stored.FailedImages), Is.EqualTo((1, 0)));
        Assert.That(stored.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That((await Database.ReadImageAsync(claimed[0].ImageId)).Attempts, Is.EqualTo(2), "the ignored repeat adds no attempts");
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeAppearsTwiceInOneBatch_CountsItOnce()
    {
        var job = await Database.SaveJobAsync(JobWithImages(2));
        var claimed = await ClaimAsync("worker-a");

        await RecordAsync("worker-a", Success(claimed[0]), Success(claimed[0]));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.SucceededImages, stored.FailedImages), Is.EqualTo((1, 0)));
        Assert.That((await Database.ReadImageAsync(claimed[0].ImageId)).Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenSettledImageGetsADifferentOutcome_KeepsTheFirst()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        var claimed = await ClaimAsync("worker-a");
        await RecordAsync("worker-a", Success(claimed[0], 10, 20));
        var completedAt = (await Database.ReadJobAsync(job.Id)).CompletedAt;
        Clock.Advance(TimeSpan.FromSeconds(9));

        await RecordAsync("worker-a", Failure(claimed[0], "late failure"));

        var image = await Database.ReadImageAsync(claimed[0].ImageId);
        Assert.That((image.State, image.Width, image.Error), Is.EqualTo((ImageState.Succeeded, (int?)10, (string?)null)));
        Assert.That((image.Attempts, image.LastError), Is.EqualTo((1, (string?)null)));
        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.SucceededImages, stored.FailedImages), Is.EqualTo((JobStatus.Completed, 1, 0)));
        Assert.That(stored.CompletedAt, Is.EqualTo(completedAt));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOwnerLostTheLease_IgnoresTheOutcome()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        var lost = (await ClaimAsync("worker-a")).Single();
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
        await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);
        var taken = (await ClaimAsync("worker-b")).Single();

        await RecordAsync("worker-a", Success(lost, attempts: 3, lastError: "HTTP 503"));

        var image = await Database.ReadImageAsync(taken.ImageId);
        Assert.That((image.State, image.LeaseOwner, image.Width), Is.EqualTo((ImageState.Processing, (string?)"worker-b", (int?)null)));
        Assert.That((image.Attempts, image.LastError), Is.EqualTo((0, (string?)null)));
        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.SucceededImages, stored.FailedImages), Is.EqualTo((JobStatus.Ongoing, 0, 0)));
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenNewOwnerRecordsAfterLeaseWasLost_CountsOnlyTheNewOwner()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        var lost = (await ClaimAsync("worker-a")).Single();
        Clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
        await Queue.ReclaimExpiredLeasesAsync(CancellationToken.None);
        var taken = (await ClaimAsync("worker-b")).Single();
        await RecordAsync("worker-a", Failure(lost, attempts: 3));

        await RecordAsync("worker-b", Success(taken));

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.Status, stored.SucceededImages, stored.FailedImages), Is.EqualTo((JobStatus.Completed, 1, 0)));
        var image = await Database.ReadImageAsync(taken.ImageId);
        Assert.That((image.Attempts, image.LastError), Is.EqualTo((1, (string?)null)), "only the new owner's attempts are recorded");
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenImageWasReleased_IgnoresTheOutcome()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        var claimed = (await ClaimAsync("worker-a")).Single();
        await Queue.ReleaseLeasesAsync("worker-a", LeaseRelease.GracefulStop, CancellationToken.None);

        await RecordAsync("worker-a", Success(claimed));

        var image = await Database.ReadImageAsync(claimed.ImageId);
        Assert.That((image.State, image.Attempts), Is.EqualTo((ImageState.Pending, 0)));
        Assert.That((await Database.ReadJobAsync(job.Id)).SucceededImages, Is.Zero);
    }

    [Test]
    public async Task RecordOutcomesAsync_WhenOutcomeListIsEmpty_ChangesNothing()
    {
        var job = await Database.SaveJobAsync(JobWithImages(1));
        await ClaimAsync("worker-a");

        await RecordAsync("worker-a");

        var stored = await Database.ReadJobAsync(job.Id);
        Assert.That((stored.SucceededImages, stored.FailedImages), Is.EqualTo((0, 0)));
        Assert.That((await Database.ReadImagesAsync(job.Id)).Single().State, Is.EqualTo(ImageState.Processing));
    }
}
