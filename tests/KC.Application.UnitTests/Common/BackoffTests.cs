using KC.Application.Common;

namespace KC.Application.UnitTests.Common;

public sealed class BackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    [TestCase(1, 200)]
    [TestCase(2, 400)]
    [TestCase(3, 800)]
    [TestCase(6, 5_000)]
    [TestCase(10_000, 5_000)]
    public void Exponential_WhenRandomIsAlmostOne_DoublesUpToTheCap(int attempt, int expectedMs)
    {
        var delay = Backoff.Exponential(attempt, First, Max, 0.999_999);

        Assert.That(delay.TotalMilliseconds, Is.EqualTo(expectedMs).Within(0.1));
    }

    [Test]
    public void Exponential_WhenRandomIsZero_IsHalfTheDelay()
    {
        Assert.That(Backoff.Exponential(3, First, Max, 0), Is.EqualTo(TimeSpan.FromMilliseconds(400)));
    }

    [Test]
    public void Exponential_WhenAttemptIsZeroOrLess_TreatsItAsTheFirst()
    {
        Assert.That(Backoff.Exponential(0, First, Max, 0), Is.EqualTo(Backoff.Exponential(1, First, Max, 0)));
    }
}
