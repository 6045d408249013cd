using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

/// <summary>
/// The retry rule the store applies set-wise and the retry handler answers from. That a retry over
/// a real database requeues the right images and sends the callback again is RetryTests.
/// </summary>
[TestFixture]
public sealed class JobRetryTests
{
    [Test]
    public void Of_WhenFailedJobHadImagesRequeued_MakesItOngoing()
    {
        var retry = JobRetry.Of(JobStatus.Failed, requeued: 3);

        Assert.That((retry.Outcome, retry.Status, retry.Requeued), Is.EqualTo((RetryOutcome.Requeued, JobStatus.Ongoing, 3)));
    }

    [Test]
    public void Of_WhenFailedJobHadNothingToRequeue_LeavesItFailed()
    {
        var retry = JobRetry.Of(JobStatus.Failed);

        Assert.That((retry.Outcome, retry.Status), Is.EqualTo((RetryOutcome.NothingToRetry, JobStatus.Failed)));
    }

    [TestCase(JobStatus.Ongoing)]
    [TestCase(JobStatus.Completed)]
    [TestCase(JobStatus.Cancelled)]
    public void Of_WhenJobIsNotFailed_IsRefusedAndKeepsItsStatus(JobStatus status)
    {
        var retry = JobRetry.Of(status);

        Assert.That((retry.Outcome, retry.Status, retry.Found), Is.EqualTo((RetryOutcome.Refused, status, status)));
    }

    [Test]
    public void Of_WhenImagesAreSaidRequeuedForAJobThatIsNotFailed_ThrowsNamingTheRule()
    {
        Assert.That(
            () => JobRetry.Of(JobStatus.Completed, requeued: 1),
            Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.OnlyFailedJobsAreRetried));
    }

    [TestCase(ImageState.Failed, true, true)]
    [TestCase(ImageState.Failed, false, false)]
    [TestCase(ImageState.Succeeded, true, false)]
    [TestCase(ImageState.Cancelled, true, false)]
    [TestCase(ImageState.Pending, true, false)]
    public void Requeues_ForAnImage_TakesOnlyFailedOnesOfAStoreInTheMaster(ImageState state, bool storeInMaster, bool expected)
    {
        var requeued = JobRetry.Requeues(state, storeInMaster);

        Assert.That(requeued, Is.EqualTo(expected));
    }
}
