using KC.Domain.Common;
using KC.Domain.Jobs;
using static KC.Domain.UnitTests.Jobs.Visits;

namespace KC.Domain.UnitTests.Jobs;

public sealed class JobCancelTests
{
    [Test]
    public void Cancel_WhenJobIsOngoing_CancelsUnsettledImagesAndKeepsSettledOnes()
    {
        var job = Submit([Visit(urls: Urls("a", 3))]);
        var images = job.Images();
        job.RecordSuccess(images[0], new ImageSize(4, 3), Now);

        job.Cancel(Later);

        Assert.Multiple(() =>
        {
            Assert.That(job.Status, Is.EqualTo(JobStatus.Cancelled));
            Assert.That(job.CompletedAt, Is.EqualTo(Later));
            Assert.That(images.Select(i => i.State), Is.EqualTo(new[] { ImageState.Succeeded, ImageState.Cancelled, ImageState.Cancelled }));
            Assert.That(images[0].Perimeter, Is.EqualTo(14));
        });
    }

    [Test]
    public void Cancel_WhenJobHasCompleted_ThrowsOnlyOngoingJobCancels()
    {
        var job = Submit([Visit(urls: Urls("a", 1))]);
        job.RecordSuccess(job.Images()[0], new ImageSize(1, 1), Now);

        var error = Assert.Throws<DomainRuleException>(() => job.Cancel(Later));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Rule, Is.EqualTo(JobRules.OnlyOngoingJobCancels));
            Assert.That(job.Status, Is.EqualTo(JobStatus.Completed));
        });
    }

    [Test]
    public void RecordSuccess_WhenJobWasCancelled_ThrowsImageSettlesOnce()
    {
        var job = Submit([Visit(urls: Urls("a", 1))]);
        var image = job.Images()[0];
        job.Cancel(Now);

        var error = Assert.Throws<DomainRuleException>(() => job.RecordSuccess(image, new ImageSize(1, 1), Later));

        Assert.That(error!.Rule, Is.EqualTo(JobRules.ImageSettlesOnce));
    }

    [TestCase(JobStatus.Completed)]
    [TestCase(JobStatus.Failed)]
    [TestCase(JobStatus.Cancelled)]
    public void EnsureCancellable_WhenJobIsFinished_NamesItsStatus(JobStatus status)
    {
        var error = Assert.Throws<DomainRuleException>(() => Job.EnsureCancellable(7, status));

        Assert.That(error!.Message, Is.EqualTo($"Job 7 is already {status.ToString().ToLowerInvariant()}; only an ongoing job can be cancelled."));
    }

    [Test]
    public void EnsureCancellable_WhenJobIsOngoing_DoesNotThrow()
    {
        Assert.That(() => Job.EnsureCancellable(7, JobStatus.Ongoing), Throws.Nothing);
    }
}

public sealed class JobProgressEstimateTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void EstimateCompletion_WhenAQuarterSettledInTenSeconds_ProjectsThirtyMoreSeconds()
    {
        var progress = new JobProgress(100, 20, 5);

        var estimate = progress.EstimateCompletion(Start, Start.AddSeconds(10));

        Assert.That(estimate, Is.EqualTo(Start.AddSeconds(40)));
    }

    [Test]
    public void EstimateCompletion_WhenNothingSettledYet_IsNull()
    {
        Assert.That(new JobProgress(10, 0, 0).EstimateCompletion(Start, Start.AddSeconds(5)), Is.Null);
    }

    [Test]
    public void EstimateCompletion_WhenSettled_IsNull()
    {
        Assert.That(new JobProgress(2, 1, 1).EstimateCompletion(Start, Start.AddSeconds(5)), Is.Null);
    }
}
