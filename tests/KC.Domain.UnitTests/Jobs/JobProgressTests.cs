using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class JobProgressTests
{
    [TestCase(-1, 0, 0)]
    [TestCase(3, -1, 0)]
    [TestCase(3, 0, -1)]
    [TestCase(3, 3, 1)]
    [TestCase(3, 2, 2)]
    [TestCase(0, 1, 0)]
    public void Constructor_WhenCountersAreInconsistent_ThrowsProgressIsConsistent(int total, int succeeded, int failed)
    {
        Action act = () => _ = new JobProgress(total, succeeded, failed);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ProgressIsConsistent));
    }

    [TestCase(3, 0, 0, -1)]
    [TestCase(3, 1, 1, 2)]
    public void Constructor_WhenCancelledDoesNotFit_ThrowsProgressIsConsistent(int total, int succeeded, int failed, int cancelled)
    {
        Action act = () => _ = new JobProgress(total, succeeded, failed, cancelled);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ProgressIsConsistent));
    }

    [TestCase(JobStatus.Ongoing, 10, 3, 1, 0, 6)]
    [TestCase(JobStatus.Completed, 10, 10, 0, 0, 0)]
    [TestCase(JobStatus.Failed, 10, 7, 3, 0, 0)]
    [TestCase(JobStatus.Cancelled, 10, 3, 1, 6, 0)]
    [TestCase(JobStatus.Cancelled, 300, 128, 0, 172, 0)]
    public void Of_WhenJobIsStoredWithAStatus_AddsUpToTheTotal(JobStatus status, int total, int succeeded, int failed, int cancelled, int pending)
    {
        var progress = JobProgress.Of(status, total, succeeded, failed);

        Assert.That((progress.Cancelled, progress.Pending), Is.EqualTo((cancelled, pending)));
        Assert.That(progress.Succeeded + progress.Failed + progress.Cancelled + progress.Pending, Is.EqualTo(total));
        Assert.That(progress.Status, Is.EqualTo(status));
    }

    [TestCase(4, 2, 1, 1)]
    [TestCase(4, 0, 0, 4)]
    public void Status_WhenAnImageIsCancelled_IsCancelled(int total, int succeeded, int failed, int cancelled)
    {
        var progress = new JobProgress(total, succeeded, failed, cancelled);

        Assert.That(progress.Status, Is.EqualTo(JobStatus.Cancelled));
        Assert.That(progress.IsSettled, Is.True);
    }

    [Test]
    public void Constructor_WhenSucceededPlusFailedOverflowsInt_ThrowsProgressIsConsistent()
    {
        // int.MaxValue + 1 wraps to a negative sum, which slips past "succeeded + failed > total".
        Action act = () => _ = new JobProgress(10, int.MaxValue, 1);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ProgressIsConsistent));
    }

    [TestCase(5, 0, 0, 5)]
    [TestCase(5, 2, 1, 2)]
    [TestCase(5, 4, 1, 0)]
    public void Pending_WhenCountersAreConsistent_IsTotalMinusSettled(int total, int succeeded, int failed, int pending)
    {
        var progress = new JobProgress(total, succeeded, failed);

        Assert.That(progress.Pending, Is.EqualTo(pending));
        Assert.That(progress.IsSettled, Is.EqualTo(pending == 0));
    }

    [TestCase(3, 0, 0, JobStatus.Ongoing)]
    [TestCase(3, 2, 0, JobStatus.Ongoing)]
    [TestCase(3, 0, 2, JobStatus.Ongoing)]
    [TestCase(3, 1, 1, JobStatus.Ongoing)]
    [TestCase(3, 3, 0, JobStatus.Completed)]
    [TestCase(3, 2, 1, JobStatus.Failed)]
    [TestCase(3, 0, 3, JobStatus.Failed)]
    public void Status_WhenCountersAreConsistent_FollowsTheSettlingRule(int total, int succeeded, int failed, JobStatus status)
    {
        var progress = new JobProgress(total, succeeded, failed);

        Assert.That(progress.Status, Is.EqualTo(status));
    }

    [Test]
    public void WithSucceeded_WhenWithinTotal_AddsToSucceededOnly()
    {
        var progress = new JobProgress(5, 1, 1);

        var next = progress.WithSucceeded(2);

        Assert.That(next, Is.EqualTo(new JobProgress(5, 3, 1)));
    }

    [Test]
    public void WithFailed_WhenWithinTotal_AddsToFailedOnly()
    {
        var progress = new JobProgress(5, 1, 1);

        var next = progress.WithFailed(3);

        Assert.That(next, Is.EqualTo(new JobProgress(5, 1, 4)));
        Assert.That(next.Status, Is.EqualTo(JobStatus.Failed));
    }

    [Test]
    public void WithSucceeded_WhenItWouldExceedTotal_ThrowsProgressIsConsistent()
    {
        var progress = new JobProgress(5, 3, 1);

        Action act = () => progress.WithSucceeded(2);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ProgressIsConsistent));
    }

    [Test]
    public void WithFailed_WhenItWouldExceedTotal_ThrowsProgressIsConsistent()
    {
        var progress = new JobProgress(5, 3, 1);

        Action act = () => progress.WithFailed(2);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ProgressIsConsistent));
    }

    [Test]
    public void OfImages_WhenStatesAreMixed_CountsEachAndLeavesPendingAndProcessingPending()
    {
        var progress = JobProgress.OfImages([ImageState.Succeeded, ImageState.Failed, ImageState.Cancelled, ImageState.Pending, ImageState.Processing]);

        Assert.That(progress, Is.EqualTo(new JobProgress(5, 1, 1, 1)));
        Assert.That(progress.Pending, Is.EqualTo(2));
    }

    [Test]
    public void OfCounts_WhenAStateIsCountedTwice_AddsBothCounts()
    {
        var progress = JobProgress.OfCounts([(ImageState.Succeeded, 3), (ImageState.Pending, 2), (ImageState.Failed, 1), (ImageState.Succeeded, 1)]);

        Assert.That((progress, progress.Pending, progress.Status), Is.EqualTo((new JobProgress(7, 4, 1), 2, JobStatus.Ongoing)));
    }

    [TestCaseSource(nameof(VisitCases))]
    public void OfImages_WhenAVisitsImagesAreInTheseStates_HasTheJobsStatusRule(ImageState[] states, JobStatus status)
    {
        var progress = JobProgress.OfImages(states);

        Assert.That(progress.Status, Is.EqualTo(status));
    }

    [Test]
    public void OfImages_WhenThereAreNoImages_IsEmptyAndSettled()
    {
        var progress = JobProgress.OfImages([]);

        Assert.That((progress, progress.IsSettled), Is.EqualTo((new JobProgress(0, 0, 0), true)));
    }

    private static IEnumerable<TestCaseData> VisitCases()
    {
        yield return new TestCaseData(new[] { ImageState.Succeeded, ImageState.Succeeded }, JobStatus.Completed).SetArgDisplayNames("all succeeded");
        yield return new TestCaseData(new[] { ImageState.Succeeded, ImageState.Failed }, JobStatus.Failed).SetArgDisplayNames("settled with a failure");
        yield return new TestCaseData(new[] { ImageState.Failed, ImageState.Processing }, JobStatus.Ongoing).SetArgDisplayNames("one still processing");
        yield return new TestCaseData(new[] { ImageState.Succeeded, ImageState.Cancelled }, JobStatus.Cancelled).SetArgDisplayNames("cancellation wins");
        yield return new TestCaseData(new[] { ImageState.Failed, ImageState.Cancelled }, JobStatus.Cancelled).SetArgDisplayNames("cancellation wins over a failure");
    }
}
