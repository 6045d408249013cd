using KC.Application.Common.Time;

namespace KC.Application.UnitTests.Common.Time;

[TestFixture]
public sealed class Rfc3339Tests
{
    private static IEnumerable<TestCaseData> Valid()
    {
        var noon = new DateTimeOffset(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11T12:00:00Z", noon, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11t12:00:00z", noon, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11 12:00:00Z", noon, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11T12:00:00+00:00", noon, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11T12:00:00-00:00", noon, TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11T17:30:00+05:30", noon, TimeSpan.FromMinutes(330));
        yield return new TestCaseData("2025-03-11T04:00:00-08:00", noon, TimeSpan.FromHours(-8));
        yield return new TestCaseData("2025-03-11T12:00:00.5Z", noon.AddMilliseconds(500), TimeSpan.Zero);
        yield return new TestCaseData("2025-03-11T12:00:00.1234567Z", noon.AddTicks(1_234_567), TimeSpan.Zero);

        // .NET keeps seven digits: the rest are cut, not rounded.
        yield return new TestCaseData("2025-03-11T12:00:00.123456789Z", noon.AddTicks(1_234_567), TimeSpan.Zero);
        yield return new TestCaseData("2024-02-29T23:59:59Z", new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.Zero), TimeSpan.Zero);
    }

    [TestCaseSource(nameof(Valid))]
    public void TryParse_WhenTextIsRfc3339WithOffset_ReturnsTheInstantAndOffset(string text, DateTimeOffset expected, TimeSpan offset)
    {
        var parsed = Rfc3339.TryParse(text, out var value);

        Assert.That(parsed, Is.True);
        Assert.That(value.UtcTicks, Is.EqualTo(expected.UtcTicks));
        Assert.That(value.Offset, Is.EqualTo(offset));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("yesterday")]
    [TestCase("2025-03-11")]
    [TestCase("2025-03-11T12:00:00")]
    [TestCase("2025-03-11T12:00:00.123")]
    [TestCase("2025-03-11T12:00Z")]
    [TestCase("2025-03-11T12:00:00+0530")]
    [TestCase("2025-03-11T12:00:00+05")]
    [TestCase("2025-03-11T12:00:00 Z")]
    [TestCase("2025-03-11T12:00:00.Z")]
    [TestCase("2025-03-11T12:00:00.1234567890Z")]
    [TestCase(" 2025-03-11T12:00:00Z")]
    [TestCase("2025-03-11T12:00:00Z ")]
    [TestCase("2025-3-11T12:00:00Z")]
    [TestCase("20250311T120000Z")]
    [TestCase("2025-02-30T12:00:00Z")]
    [TestCase("2025-02-29T12:00:00Z")]
    [TestCase("2025-13-01T12:00:00Z")]
    [TestCase("2025-03-11T25:00:00Z")]
    [TestCase("2025-03-11T12:60:00Z")]
    [TestCase("11/03/2025 12:00:00 +00:00")]
    [TestCase("Tue, 11 Mar 2025 12:00:00 GMT")]
    [TestCase("2025-03-11T12:00:00+25:00")]
    public void TryParse_WhenTextIsNotRfc3339WithOffset_ReturnsFalse(string? text)
    {
        var parsed = Rfc3339.TryParse(text, out var value);

        Assert.That(parsed, Is.False);
        Assert.That(value, Is.EqualTo(default(DateTimeOffset)));
    }
}
