using KC.Domain.Jobs;
using static KC.Domain.UnitTests.Jobs.Visits;

namespace KC.Domain.UnitTests.Jobs;

/// <summary>
/// The cancel rule the store applies set-wise and the cancel handler answers from. That a cancel
/// over a real database cancels the job's unsettled images, keeps the settled ones and refuses the
/// outcomes that arrive after it is JobSettlementTests; the refusal's 409 text, CancelJobHandlerTests.
/// </summary>
[TestFixture]
public sealed class JobCancellationTests
{
    [Test]
    public void Of_WhenJobIsOngoing_CancelsItNow()
    {
        var cancellation = JobCancellation.Of(JobStatus.Ongoing);

        Assert.That((cancellation.Outcome, cancellation.Status, cancellation.Found), Is.EqualTo((CancelOutcome.CancelledNow, JobStatus.Cancelled, JobStatus.Ongoing)));
    }

    [Test]
    public void Of_WhenJobHasCompleted_IsRefusedAndTheJobStaysCompleted()
    {
        var cancellation = JobCancellation.Of(JobStatus.Completed);

        Assert.That((cancellation.Outcome, cancellation.Status), Is.EqualTo((CancelOutcome.Refused, JobStatus.Completed)));
    }

    [TestCase(JobStatus.Completed)]
    [TestCase(JobStatus.Failed)]
    public void Of_WhenJobIsFinished_IsRefusedNamingItsStatus(JobStatus status)
    {
        var cancellation = JobCancellation.Of(status);

        Assert.That(cancellation.Outcome, Is.EqualTo(CancelOutcome.Refused));
        Assert.That(cancellation.Status, Is.EqualTo(status));
    }

    [Test]
    public void Of_WhenJobWasCancelledAlready_AnswersCancelledAgainWithoutARefusal()
    {
        var cancellation = JobCancellation.Of(JobStatus.Cancelled);

        Assert.That((cancellation.Outcome, cancellation.Status), Is.EqualTo((CancelOutcome.AlreadyCancelled, JobStatus.Cancelled)));
    }

    [Test]
    public void Of_WhenOngoingJobHasASucceededImage_StopsOnlyTheUnsettledOnesAndCountsThemCancelled()
    {
        var job = Submit([Visit(urls: Urls("a", 3))]);
        var progress = job.Progress.WithSucceeded(1);

        var cancellation = JobCancellation.Of(job.Status);

        var after = JobProgress.Of(cancellation.Status, progress.Total, progress.Succeeded, progress.Failed);
        Assert.That(after, Is.EqualTo(new JobProgress(3, 1, 0, 2)));
        Assert.That(after.Status, Is.EqualTo(JobStatus.Cancelled));
        Assert.That(
            new[] { ImageState.Succeeded, ImageState.Pending, ImageState.Processing }.Select(s => s.IsSettled()),
            Is.EqualTo(new[] { true, false, false }),
            "a cancel stops the pending and processing images and keeps the succeeded one");
    }

    [Test]
    public void IsSettled_WhenImageWasCancelled_IsTrueSoALateOutcomeIsRefused()
    {
        Assert.That(ImageState.Cancelled.IsSettled(), Is.True);
    }

    [Test]
    public void Of_WhenEveryStatus_IsRefusedExactlyForCompletedAndFailed()
    {
        var refused = Enum.GetValues<JobStatus>().Where(s => JobCancellation.Of(s).Outcome == CancelOutcome.Refused);

        Assert.That(refused, Is.EqualTo(new[] { JobStatus.Completed, JobStatus.Failed }));
    }
}
