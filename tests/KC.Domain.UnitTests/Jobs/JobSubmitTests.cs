using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class JobSubmitTests
{
    [Test]
    public void Submit_WhenNoVisits_ThrowsJobHasVisits()
    {
        Action act = () => Visits.Submit(visits: []);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.JobHasVisits));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\t")]
    public void Submit_WhenStoreIdIsBlank_ThrowsVisitHasStore(string storeId)
    {
        var visits = new[] { Visits.Visit(), Visits.Visit(storeId: storeId, urls: Visits.Urls("blank", 1)) };

        Action act = () => Visits.Submit(visits);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.VisitHasStore));
    }

    [Test]
    public void Submit_WhenStoreIdIsNull_ThrowsVisitHasStore()
    {
        // StoreVisit.Create guards null store ids, but Job.Submit trims the id before that guard runs.
        var visits = new[] { Visits.Visit(storeId: null!, urls: Visits.Urls("null", 1)) };

        Action act = () => Visits.Submit(visits);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.VisitHasStore));
    }

    [Test]
    public void Submit_WhenVisitHasNoImages_ThrowsVisitHasImages()
    {
        var visits = new[] { Visits.Visit(), Visits.Visit(urls: []) };

        Action act = () => Visits.Submit(visits);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.VisitHasImages));
    }

    [Test]
    public void Submit_WhenVisitImageListIsNull_ThrowsVisitHasImages()
    {
        var visits = new[] { new NewVisit(Visits.KnownStore, Visits.VisitTime, null!) };

        Action act = () => Visits.Submit(visits);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.VisitHasImages));
    }

    [TestCase("/images/a.jpg")]
    [TestCase("images/a.jpg")]
    [TestCase("ftp://example.com/a.jpg")]
    [TestCase("file:///etc/passwd")]
    [TestCase("javascript:alert(1)")]
    [TestCase("http://")]
    [TestCase("https://")]
    [TestCase("")]
    public void Submit_WhenImageUrlIsNotAbsoluteHttp_ThrowsImageUrlIsAbsoluteHttp(string url)
    {
        var visits = new[] { Visits.Visit(urls: ["https://example.com/ok.jpg", url]) };

        Action act = () => Visits.Submit(visits);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.ImageUrlIsAbsoluteHttp));
    }

    [TestCase("http://example.com/a.jpg")]
    [TestCase("https://example.com/a.jpg?size=large")]
    [TestCase("HTTPS://EXAMPLE.COM/A.JPG")]
    [TestCase("http://127.0.0.1:8080/a.png")]
    public void Submit_WhenImageUrlIsAbsoluteHttp_KeepsItAsPending(string url)
    {
        var job = Visits.Submit([Visits.Visit(urls: [url])]);

        var image = job.Images().Single();
        Assert.That(image.Url, Is.EqualTo(url));
        Assert.That(image.State, Is.EqualTo(ImageState.Pending));
    }

    [Test]
    public void Submit_WhenSeveralVisits_NumbersImagesConsecutivelyAcrossVisits()
    {
        var visits = new[]
        {
            Visits.Visit(urls: Visits.Urls("a", 3)),
            Visits.Visit(storeId: Visits.UnknownStore, urls: Visits.Urls("b", 1)),
            Visits.Visit(storeId: Visits.OtherKnownStore, urls: Visits.Urls("c", 2)),
        };

        var job = Visits.Submit(visits);

        Assert.That(job.Images().Select(i => i.Sequence), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5 }));
        Assert.That(
            job.Visits.Select(v => v.Images.Select(i => i.Sequence).ToArray()),
            Is.EqualTo(new[] { new[] { 0, 1, 2 }, new[] { 3 }, new[] { 4, 5 } }));
    }

    [Test]
    public void Submit_WhenSeveralVisits_KeepsVisitsAndUrlsInSubmittedOrder()
    {
        var first = Visits.Visit(storeId: Visits.OtherKnownStore, urls: Visits.Urls("first", 2));
        var second = Visits.Visit(storeId: Visits.KnownStore, urls: Visits.Urls("second", 1));

        var job = Visits.Submit([first, second]);

        Assert.That(job.Visits.Select(v => v.StoreId), Is.EqualTo(new[] { Visits.OtherKnownStore, Visits.KnownStore }));
        Assert.That(job.Images().Select(i => i.Url), Is.EqualTo(first.ImageUrls.Concat(second.ImageUrls)));
    }

    [Test]
    public void Submit_WhenAllStoresAreKnown_CountsImagesAndStartsOngoing()
    {
        var visits = new[] { Visits.Visit(urls: Visits.Urls("a", 3)), Visits.Visit(storeId: Visits.OtherKnownStore, urls: Visits.Urls("b", 2)) };

        var job = Visits.Submit(visits, now: Visits.Now);

        Assert.That(job.TotalImages, Is.EqualTo(5));
        Assert.That(job.SucceededImages, Is.Zero);
        Assert.That(job.FailedImages, Is.Zero);
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(5, 0, 0)));
        Assert.That(job.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(job.CreatedAt, Is.EqualTo(Visits.Now));
        Assert.That(job.CompletedAt, Is.Null);
        Assert.That(job.Images().Select(i => i.State), Is.All.EqualTo(ImageState.Pending));
        Assert.That(job.Visits.Select(v => v.StoreKnown), Is.All.True);
    }

    [Test]
    public void Submit_WhenOneStoreIsUnknown_SettlesItsImagesAsFailedAtOnce()
    {
        var visits = new[] { Visits.Visit(urls: Visits.Urls("known", 2)), Visits.Visit(storeId: Visits.UnknownStore, urls: Visits.Urls("unknown", 3)) };

        var job = Visits.Submit(visits, now: Visits.Now);

        var unknown = job.Visits.Single(v => v.StoreId == Visits.UnknownStore);
        Assert.That(unknown.StoreKnown, Is.False);
        Assert.That(unknown.Images.Select(i => (i.State, i.Error, i.SettledAt)), Is.All.EqualTo((ImageState.Failed, Job.UnknownStoreError, (DateTimeOffset?)Visits.Now)));
        var known = job.Visits.Single(v => v.StoreId == Visits.KnownStore);
        Assert.That(known.StoreKnown, Is.True);
        Assert.That(known.Images.Select(i => i.State), Is.All.EqualTo(ImageState.Pending));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(5, 0, 3)));
        Assert.That(job.Status, Is.EqualTo(JobStatus.Ongoing));
        Assert.That(job.CompletedAt, Is.Null);
    }

    [Test]
    public void Submit_WhenEveryStoreIsUnknown_IsFailedFromTheStart()
    {
        var visits = new[] { Visits.Visit(storeId: Visits.UnknownStore, urls: Visits.Urls("a", 2)), Visits.Visit(storeId: "S00000000", urls: Visits.Urls("b", 1)) };

        var job = Visits.Submit(visits, isKnownStore: _ => false, now: Visits.Now);

        Assert.That(job.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(job.CompletedAt, Is.EqualTo(Visits.Now));
        Assert.That(job.Progress, Is.EqualTo(new JobProgress(3, 0, 3)));
        Assert.That(job.Images().Select(i => i.Error), Is.All.EqualTo(Job.UnknownStoreError));
    }

    [Test]
    public void Submit_WhenStoreIdHasSurroundingSpaces_LooksUpAndKeepsTheTrimmedId()
    {
        var asked = new List<string>();

        var job = Visits.Submit([Visits.Visit(storeId: "  S00339218 ")], isKnownStore: id => { asked.Add(id); return id == Visits.KnownStore; });

        Assert.That(asked, Is.EqualTo(new[] { Visits.KnownStore }));
        Assert.That(job.Visits.Single().StoreId, Is.EqualTo(Visits.KnownStore));
        Assert.That(job.Visits.Single().StoreKnown, Is.True);
    }

    [Test]
    public void Submit_WhenVisitTimeHasAnOffset_StoresTheSameInstantInUtc()
    {
        var local = new DateTimeOffset(2025, 3, 11, 17, 30, 0, TimeSpan.FromHours(5.5));

        var job = Visits.Submit([Visits.Visit(visitTime: local)]);

        var visitTime = job.Visits.Single().VisitTime;
        Assert.That(visitTime.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(visitTime, Is.EqualTo(local));
        Assert.That(visitTime.DateTime, Is.EqualTo(new DateTime(2025, 3, 11, 12, 0, 0)));
    }

    [Test]
    public void Submit_WhenSubmitted_HasNoIdUntilAssigned()
    {
        var job = Visits.Submit();

        Assert.That(job.Id, Is.Zero);
    }

    [Test]
    public void AssignId_WhenJobHasNoId_SetsIt()
    {
        var job = Visits.Submit();

        job.AssignId(42);

        Assert.That(job.Id, Is.EqualTo(42));
    }

    [Test]
    public void AssignId_WhenJobAlreadyHasAnId_ThrowsJobIdAssignedOnce()
    {
        var job = Visits.Submit();
        job.AssignId(42);

        Action act = () => job.AssignId(43);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.JobIdAssignedOnce));
        Assert.That(job.Id, Is.EqualTo(42));
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void AssignId_WhenIdIsNotPositive_ThrowsJobIdAssignedOnce(long id)
    {
        var job = Visits.Submit();

        Action act = () => job.AssignId(id);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.JobIdAssignedOnce));
        Assert.That(job.Id, Is.Zero);
    }
}
