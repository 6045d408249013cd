using KC.Application.Jobs.Commands.SubmitJob;
using KC.Domain.Jobs;

namespace KC.Application.UnitTests.Jobs.Commands.SubmitJob;

[TestFixture]
public sealed class SubmitRequestFingerprintTests
{
    private static readonly DateTimeOffset Noon = new(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Compute_WhenCalled_IsALowerCaseHexSha256()
    {
        var hash = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/a.jpg")], null);

        Assert.That(hash, Does.Match("^[0-9a-f]{64}$"));
    }

    [Test]
    public void Compute_WhenVisitTimesNameTheSameInstantInOtherOffsets_IsTheSame()
    {
        var utc = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/a.jpg")], null);
        var india = SubmitRequestFingerprint.Compute([Visit("S1", Noon.ToOffset(TimeSpan.FromHours(5.5)), "https://example.com/a.jpg")], null);

        Assert.That(india, Is.EqualTo(utc));
    }

    [Test]
    public void Compute_WhenAnImageMovesToAnotherVisit_Differs()
    {
        var together = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/a.jpg", "https://example.com/b.jpg"), Visit("S1", Noon)], null);
        var apart = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/a.jpg"), Visit("S1", Noon, "https://example.com/b.jpg")], null);

        Assert.That(apart, Is.Not.EqualTo(together));
    }

    [TestCase(null, "https://hooks.example.com/done")]
    [TestCase("https://hooks.example.com/a", "https://hooks.example.com/b")]
    public void Compute_WhenCallbackUrlDiffers_Differs(string? one, string? other)
    {
        var visits = new[] { Visit("S1", Noon, "https://example.com/a.jpg") };

        Assert.That(SubmitRequestFingerprint.Compute(visits, one), Is.Not.EqualTo(SubmitRequestFingerprint.Compute(visits, other)));
    }

    [Test]
    public void Compute_WhenImageOrderDiffers_Differs()
    {
        var ab = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/a.jpg", "https://example.com/b.jpg")], null);
        var ba = SubmitRequestFingerprint.Compute([Visit("S1", Noon, "https://example.com/b.jpg", "https://example.com/a.jpg")], null);

        Assert.That(ba, Is.Not.EqualTo(ab));
    }

    private static NewVisit Visit(string storeId, DateTimeOffset time, params string[] urls) => new(storeId, time, urls);
}
