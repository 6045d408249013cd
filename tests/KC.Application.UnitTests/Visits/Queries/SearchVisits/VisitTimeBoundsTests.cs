using KC.Application.Visits.Queries.SearchVisits;

namespace KC.Application.UnitTests.Visits.Queries.SearchVisits;

[TestFixture]
public sealed class VisitTimeBoundsTests
{
    private static readonly DateTimeOffset Midnight = new(2025, 3, 11, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TryParseStart_WhenTextIsADate_StartsAtThatUtcMidnight()
    {
        var parsed = VisitTimeBounds.TryParseStart("2025-03-11", out var from);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(from, Is.EqualTo(Midnight));
            Assert.That(from.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void TryParseStart_WhenTimestampHasAnOffset_StartsAtThatInstantInUtc()
    {
        var parsed = VisitTimeBounds.TryParseStart("2025-03-11T17:30:00+05:30", out var from);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(from, Is.EqualTo(Midnight.AddHours(12)));
            Assert.That(from.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [Test]
    public void TryParseEnd_WhenTextIsADate_EndsBeforeTheNextUtcMidnight()
    {
        var parsed = VisitTimeBounds.TryParseEnd("2025-03-11", out var before);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(before, Is.EqualTo(Midnight.AddDays(1)));
        });
    }

    [Test]
    public void TryParseEnd_WhenTextIsATimestamp_EndsOneMicrosecondAfterItSoTheInstantIsIncluded()
    {
        var parsed = VisitTimeBounds.TryParseEnd("2025-03-11T12:00:00.5Z", out var before);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(before, Is.EqualTo(Midnight.AddHours(12).AddMilliseconds(500).AddMicroseconds(1)));
        });
    }

    [Test]
    public void TryParse_WhenATimestampIsFinerThanAMicrosecond_BoundsTheStoredMicrosecondsItAdmits()
    {
        var parsed = VisitTimeBounds.TryParseStart("2025-03-11T12:00:00.0000001Z", out var from)
            & VisitTimeBounds.TryParseEnd("2025-03-11T12:00:00.0000009Z", out var before);

        // Nothing stored lies within the same microsecond after 12:00:00, so both round to whole microseconds.
        Assert.That(parsed, Is.True);
        Assert.That((from, before), Is.EqualTo((Midnight.AddHours(12).AddMicroseconds(1), (DateTimeOffset?)Midnight.AddHours(12).AddMicroseconds(1))));
    }

    [TestCase("9999-12-31")]
    [TestCase("9999-12-31T23:59:59.9999999Z")]
    public void TryParseEnd_WhenNothingComesAfterIt_LeavesTheRangeOpen(string text)
    {
        var parsed = VisitTimeBounds.TryParseEnd(text, out var before);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(before, Is.Null);
        });
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("2025-03-11T12:00:00")]
    [TestCase("2025-3-11")]
    [TestCase("2025-02-30")]
    [TestCase("11/03/2025")]
    [TestCase(" 2025-03-11")]
    public void TryParse_WhenTextIsNeitherATimestampNorADate_Fails(string text)
    {
        var start = VisitTimeBounds.TryParseStart(text, out _);
        var end = VisitTimeBounds.TryParseEnd(text, out _);

        Assert.Multiple(() =>
        {
            Assert.That(start, Is.False);
            Assert.That(end, Is.False);
        });
    }
}
