using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class JobOutcomeTests
{
    private static readonly ImageSize Size = new(640, 480);

    [Test]
    public void RecordSuccess_WhenImageIsPending_StoresSizeAndPerimeterOnTheImage()
    {
        var job = Visits.Submit();
        var image = job.Images()[0];

        job.RecordSuccess(image, Size, Visits.Later);

        Assert.That(image.State, Is.EqualTo(ImageState.Succeeded));
        Assert.That((image.Width, image.Height, image.Perimeter), Is.EqualTo(((int?)640, (int?)480, (long?)2240)));
        Assert.That(image.Error, Is.Null);
        Assert.That(image.SettledAt, Is.EqualTo(Visits.Later));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 1, 0)));
    }

    [Test]
    public void RecordFailure_WhenImageIsPending_StoresTheErrorOnTheImage()
    {
        var job = Visits.Submit();
        var image = job.Images()[0];

        job.RecordFailure(image, "HTTP 404", Visits.Later);

        Assert.That(image.State, Is.EqualTo(ImageState.Failed));
        Assert.That(image.Error, Is.EqualTo("HTTP 404"));
        Assert.That((image.Width, image.Height, image.Perimeter), Is.EqualTo(((int?)null, (int?)null, (long?)null)));
        Assert.That(image.SettledAt, Is.EqualTo(Visits.Later));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 0, 1)));
    }

    [Test]
    public void RecordFailure_WhenOtherImagesArePending_StaysOngoing()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 3))]);

        job.RecordFailure(job.Images()[0], "HTTP 404", Visits.Later);
        job.RecordSuccess(job.Images()[1], Size, Visits.Later);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(job.CompletedAt, Is.Null);
        Assert.That(job.Progress.Pending, Is.EqualTo(1));
    }

    [Test]
    public void RecordSuccess_WhenEveryImageSucceeded_IsCompleted()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 2)), Visits.Visit(storeId: Visits.OtherKnownStore, urls: Visits.Urls("b", 1))]);
        var images = job.Images();
        job.RecordSuccess(images[0], Size, Visits.Now.AddSeconds(1));
        job.RecordSuccess(images[1], Size, Visits.Now.AddSeconds(2));

        job.RecordSuccess(images[2], Size, Visits.Later);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Completed));
        Assert.That(job.CompletedAt, Is.EqualTo(Visits.Later));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(3, 3, 0)));
    }

    [Test]
    public void RecordSuccess_WhenLastImageSettlesAfterAFailure_IsFailed()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 3))]);
        var images = job.Images();
        job.RecordFailure(images[1], "HTTP 404", Visits.Now.AddSeconds(1));
        job.RecordSuccess(images[0], Size, Visits.Now.AddSeconds(2));

        job.RecordSuccess(images[2], Size, Visits.Later);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(job.CompletedAt, Is.EqualTo(Visits.Later));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(3, 2, 1)));
    }

    [Test]
    public void RecordFailure_WhenLastImageFails_IsFailed()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 2))]);
        var images = job.Images();
        job.RecordSuccess(images[0], Size, Visits.Now.AddSeconds(1));

        job.RecordFailure(images[1], "not a decodable image", Visits.Later);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(job.CompletedAt, Is.EqualTo(Visits.Later));
    }

    [Test]
    public void RecordSuccess_WhenLastKnownImageSucceedsInAJobWithAnUnknownStore_IsFailed()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 1)), Visits.Visit(storeId: Visits.UnknownStore, urls: Visits.Urls("b", 1))]);

        job.RecordSuccess(job.Images()[0], Size, Visits.Later);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(job.CompletedAt, Is.EqualTo(Visits.Later));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 1, 1)));
    }

    [Test]
    public void RecordSuccess_WhenImageAlreadySucceeded_ThrowsImageSettlesOnceAndKeepsCounters()
    {
        var job = Visits.Submit();
        var image = job.Images()[0];
        job.RecordSuccess(image, Size, Visits.Now);

        Action act = () => job.RecordSuccess(image, new ImageSize(1, 1), Visits.Later);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageSettlesOnce));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 1, 0)));
        Assert.That((image.Width, image.SettledAt), Is.EqualTo(((int?)640, (DateTimeOffset?)Visits.Now)));
    }

    [Test]
    public void RecordFailure_WhenImageAlreadySucceeded_ThrowsImageSettlesOnceAndKeepsCounters()
    {
        var job = Visits.Submit();
        var image = job.Images()[0];
        job.RecordSuccess(image, Size, Visits.Now);

        Action act = () => job.RecordFailure(image, "HTTP 500", Visits.Later);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageSettlesOnce));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 1, 0)));
        Assert.That(image.State, Is.EqualTo(ImageState.Succeeded));
    }

    [Test]
    public void RecordSuccess_WhenImageFailedForAnUnknownStore_ThrowsImageSettlesOnce()
    {
        var job = Visits.Submit([Visits.Visit(urls: Visits.Urls("a", 1)), Visits.Visit(storeId: Visits.UnknownStore, urls: Visits.Urls("b", 1))]);
        var unknownImage = job.Images()[1];

        Action act = () => job.RecordSuccess(unknownImage, Size, Visits.Later);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageSettlesOnce));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 0, 1)));
        Assert.That(job.Status, Is.EqualTo(JobStatus.Ongoing));
    }

    [Test]
    public void RecordSuccess_WhenImageBelongsToAnotherJob_ThrowsImageBelongsToJobAndLeavesBothUntouched()
    {
        var job = Visits.Submit();
        var other = Visits.Submit();
        var foreignImage = other.Images()[0];

        Action act = () => job.RecordSuccess(foreignImage, Size, Visits.Later);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageBelongsToJob));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(2, 0, 0)));
        Assert.That(foreignImage.State, Is.EqualTo(ImageState.Pending));
    }

    [Test]
    public void RecordFailure_WhenImageBelongsToAnotherJob_ThrowsImageBelongsToJob()
    {
        var job = Visits.Submit();
        var foreignImage = Visits.Submit().Images()[0];

        Action act = () => job.RecordFailure(foreignImage, "HTTP 404", Visits.Later);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageBelongsToJob));
        Assert.That(job.Progress.Failed, Is.Zero);
        Assert.That(foreignImage.State, Is.EqualTo(ImageState.Pending));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void RecordFailure_WhenErrorIsBlank_ThrowsAndLeavesImagePending(string error)
    {
        var job = Visits.Submit();
        var image = job.Images()[0];

        Action act = () => job.RecordFailure(image, error, Visits.Later);

        Assert.That(act, Throws.InstanceOf<ArgumentException>());
        Assert.That(image.State, Is.EqualTo(ImageState.Pending));
        Assert.That(job.Progress.Failed, Is.Zero);
    }
}
