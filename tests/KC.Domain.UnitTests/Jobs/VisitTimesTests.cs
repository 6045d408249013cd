using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class VisitTimesTests
{
    private static readonly DateTimeOffset Noon = new(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Normalize_KeepsTheInstantInUtcToTheMicrosecond()
    {
        var written = new DateTimeOffset(2025, 3, 11, 17, 30, 0, TimeSpan.FromHours(5.5)).AddTicks(12_345_678);

        var stored = VisitTimes.Normalize(written);

        Assert.That((stored, stored.Offset), Is.EqualTo((Noon.AddTicks(12_345_670), TimeSpan.Zero)));
    }

    [Test]
    public void Submit_StoresEveryVisitTimeNormalised()
    {
        var job = Job.Submit([new NewVisit("S1", Noon.AddTicks(7).ToOffset(TimeSpan.FromHours(2)), ["https://example.com/a.jpg"])], _ => true, Noon);

        Assert.That(job.Visits.Single().VisitTime, Is.EqualTo(Noon).And.Property(nameof(DateTimeOffset.Offset)).EqualTo(TimeSpan.Zero));
    }

    [TestCase(0, 0)]
    [TestCase(1, 10)]
    [TestCase(9, 10)]
    [TestCase(10, 10)]
    [TestCase(11, 20)]
    public void FirstAtOrAfter_RoundsUpToAWholeMicrosecond(long ticks, long expected) =>
        Assert.That(VisitTimes.FirstAtOrAfter(Noon.AddTicks(ticks)), Is.EqualTo(Noon.AddTicks(expected)));

    [TestCase(0, 10)]
    [TestCase(9, 10)]
    [TestCase(10, 20)]
    public void FirstAfter_IsTheNextWholeMicrosecond(long ticks, long expected) =>
        Assert.That(VisitTimes.FirstAfter(Noon.AddTicks(ticks)), Is.EqualTo(Noon.AddTicks(expected)));

    [Test]
    public void FirstAfter_WhenNothingCanComeAfter_IsNull() =>
        Assert.That(VisitTimes.FirstAfter(DateTimeOffset.MaxValue), Is.Null);
}
