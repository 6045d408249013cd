using KC.Domain.Jobs;
using static KC.Domain.UnitTests.Jobs.Visits;

namespace KC.Domain.UnitTests.Jobs;

/// <summary>
/// What settles a job: the rule the work queue's outcome batches apply to the counters they read
/// back, and the aggregate applies at submit (<see cref="JobStatusExtensions.SettlesIn"/> over
/// <see cref="JobProgress"/>). How an outcome is stored on its image row, and that a settled image
/// takes no second outcome, is the queue's (SqlWorkQueueOutcomeTests); the settling path over a
/// real database is JobSettlementTests.
/// </summary>
[TestFixture]
public sealed class JobSettlingTests
{
    [Test]
    public void SettlesIn_WhenOneImageOfTwoSucceeds_CountsItAndLeavesTheJobOngoing()
    {
        var job = Submit();

        var progress = job.Progress.WithSucceeded(1);

        Assert.That(progress, Is.EqualTo(new JobProgress(2, 1, 0)));
        Assert.That(job.Status.SettlesIn(progress), Is.Null);
    }

    [Test]
    public void SettlesIn_WhenOneImageOfTwoFails_CountsItAndLeavesTheJobOngoing()
    {
        var job = Submit();

        var progress = job.Progress.WithFailed(1);

        Assert.That(progress, Is.EqualTo(new JobProgress(2, 0, 1)));
        Assert.That(job.Status.SettlesIn(progress), Is.Null);
    }

    [Test]
    public void SettlesIn_WhenOtherImagesArePendingAfterAFailure_StaysOngoing()
    {
        var job = Submit([Visit(urls: Urls("a", 3))]);

        var progress = job.Progress.WithFailed(1).WithSucceeded(1);

        Assert.That(job.Status.SettlesIn(progress), Is.Null);
        Assert.That(progress.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(progress.Pending, Is.EqualTo(1));
    }

    [Test]
    public void SettlesIn_WhenEveryImageSucceeded_IsCompleted()
    {
        var job = Submit([Visit(urls: Urls("a", 2)), Visit(storeId: OtherKnownStore, urls: Urls("b", 1))]);
        var first = job.Progress.WithSucceeded(1);
        var second = first.WithSucceeded(1);

        var last = second.WithSucceeded(1);

        Assert.That((job.Status.SettlesIn(first), job.Status.SettlesIn(second)), Is.EqualTo(((JobStatus?)null, (JobStatus?)null)));
        Assert.That(job.Status.SettlesIn(last), Is.EqualTo(JobStatus.Completed));
        Assert.That(last, Is.EqualTo(new JobProgress(3, 3, 0)));
    }

    [Test]
    public void SettlesIn_WhenLastImageSucceedsAfterAFailure_IsFailed()
    {
        var job = Submit([Visit(urls: Urls("a", 3))]);
        var failed = job.Progress.WithFailed(1);
        var succeeded = failed.WithSucceeded(1);

        var last = succeeded.WithSucceeded(1);

        Assert.That((job.Status.SettlesIn(failed), job.Status.SettlesIn(succeeded)), Is.EqualTo(((JobStatus?)null, (JobStatus?)null)));
        Assert.That(job.Status.SettlesIn(last), Is.EqualTo(JobStatus.Failed));
        Assert.That(last, Is.EqualTo(new JobProgress(3, 2, 1)));
    }

    [Test]
    public void SettlesIn_WhenLastImageFails_IsFailed()
    {
        var job = Submit([Visit(urls: Urls("a", 2))]);
        var succeeded = job.Progress.WithSucceeded(1);

        var last = succeeded.WithFailed(1);

        Assert.That(job.Status.SettlesIn(last), Is.EqualTo(JobStatus.Failed));
    }

    [Test]
    public void SettlesIn_WhenLastKnownImageSucceedsInAJobWithAnUnknownStore_IsFailed()
    {
        var job = Submit([Visit(urls: Urls("a", 1)), Visit(storeId: UnknownStore, urls: Urls("b", 1))]);

        var last = job.Progress.WithSucceeded(1);

        Assert.That(job.Status.SettlesIn(last), Is.EqualTo(JobStatus.Failed));
        Assert.That(last, Is.EqualTo(new JobProgress(2, 1, 1)));
    }

    [TestCase(JobStatus.Completed)]
    [TestCase(JobStatus.Failed)]
    [TestCase(JobStatus.Cancelled)]
    public void SettlesIn_WhenJobIsFinalAlready_IsNullSoItSettlesOnce(JobStatus status)
    {
        var done = new JobProgress(2, 2, 0);
        var doneWithAFailure = new JobProgress(2, 1, 1);

        var settles = (status.SettlesIn(done), status.SettlesIn(doneWithAFailure));

        Assert.That(settles, Is.EqualTo(((JobStatus?)null, (JobStatus?)null)));
    }

    [Test]
    public void Submit_WhenOneStoreIsUnknown_ItsImagesAreSettledSoTheyTakeNoOutcome()
    {
        var job = Submit([Visit(urls: Urls("a", 1)), Visit(storeId: UnknownStore, urls: Urls("b", 1))]);

        var unknownImage = job.Images()[1];

        Assert.That((unknownImage.State, unknownImage.State.IsSettled()), Is.EqualTo((ImageState.Failed, true)));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 0, 1)));
        Assert.That(job.Status, Is.EqualTo(JobStatus.Ongoing));
    }

    [TestCase(JobStatus.Ongoing, false)]
    [TestCase(JobStatus.Completed, true)]
    [TestCase(JobStatus.Failed, true)]
    [TestCase(JobStatus.Cancelled, true)]
    public void IsFinal_WhenStatus_IsTrueForEveryStatusButOngoing(JobStatus status, bool final)
    {
        Assert.That(status.IsFinal(), Is.EqualTo(final));
    }

    [Test]
    public void SettlesIn_WhenCountersLeaveImagesPending_IsNull()
    {
        Assert.That(JobStatus.Ongoing.SettlesIn(new JobProgress(3, 1, 1)), Is.Null);
    }

    [Test]
    public void Values_WhenStored_KeepTheNumbersOfCancelled()
    {
        // Stored as integers, and written into the settling SQL as numbers.
        Assert.That(((int)JobStatus.Cancelled, (int)ImageState.Cancelled), Is.EqualTo((3, 4)));
    }
}
