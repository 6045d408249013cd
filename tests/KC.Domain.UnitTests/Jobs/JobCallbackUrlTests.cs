using KC.Domain.Common;
using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class JobCallbackUrlTests
{
    [Test]
    public void Submit_WhenNoCallbackUrl_HasNone()
    {
        var job = Visits.Submit();

        Assert.That(job.CallbackUrl, Is.Null);
    }

    [TestCase("https://hooks.example.com/kc?job=1")]
    [TestCase("http://10.0.0.5:8080/done")]
    public void Submit_WhenCallbackUrlIsAbsoluteHttp_KeepsIt(string url)
    {
        var job = Job.Submit([Visits.Visit()], Visits.IsKnownStore, Visits.Now, url);

        Assert.That(job.CallbackUrl, Is.EqualTo(url));
    }

    [TestCase("")]
    [TestCase("/relative/hook")]
    [TestCase("ftp://hooks.example.com/done")]
    [TestCase("file:///etc/passwd")]
    public void Submit_WhenCallbackUrlIsNotAbsoluteHttp_ThrowsCallbackUrlIsAbsoluteHttp(string url)
    {
        Action act = () => Job.Submit([Visits.Visit()], Visits.IsKnownStore, Visits.Now, url);

        Assert.That(act, Throws.TypeOf<DomainRuleException>().With.Property(nameof(DomainRuleException.Rule)).EqualTo(JobRules.CallbackUrlIsAbsoluteHttp));
    }

    [Test]
    public void Submit_WhenEveryStoreIsUnknown_SettlesAtOnceAndKeepsTheCallbackUrl()
    {
        var job = Job.Submit([Visits.Visit(Visits.UnknownStore)], Visits.IsKnownStore, Visits.Now, "https://hooks.example.com/done");

        Assert.That((job.Status, job.CallbackUrl), Is.EqualTo((JobStatus.Failed, "https://hooks.example.com/done")));
    }
}
