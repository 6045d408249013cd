using KC.Application.Processing;
using KC.Domain.Jobs;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class ImageOutcomeTests
{
    private static readonly ClaimedImage Image = new(7, 3, 5, "https://images.example.com/7.jpg", PriorAttempts: 0);

    [Test]
    public void Succeeded_WhenAttemptsAreNotGiven_CountsOneAttemptWithoutLastError()
    {
        var outcome = ImageOutcome.Succeeded(Image, new ImageSize(640, 480));

        Assert.That(outcome, Is.EqualTo(new ImageOutcome(7, 3, new ImageSize(640, 480), null, 1, null)));
        Assert.That(outcome.IsSuccess, Is.True);
    }

    [Test]
    public void Succeeded_WhenARetryFollowedAFailedAttempt_KeepsTheAttemptsAndTheLastError()
    {
        var outcome = ImageOutcome.Succeeded(Image, new ImageSize(640, 480), attempts: 3, lastError: "HTTP 503");

        Assert.That((outcome.Attempts, outcome.LastError, outcome.Error), Is.EqualTo((3, (string?)"HTTP 503", (string?)null)));
        Assert.That(outcome.IsSuccess, Is.True);
    }

    [Test]
    public void Failed_WhenCreated_SetsLastErrorToTheError()
    {
        var outcome = ImageOutcome.Failed(Image, "HTTP 404");

        Assert.That(outcome, Is.EqualTo(new ImageOutcome(7, 3, null, "HTTP 404", 1, "HTTP 404") { Reason = ImageFailureReason.Other }));
        Assert.That(outcome.IsSuccess, Is.False);
    }

    [Test]
    public void Failed_WhenAttemptsAreGiven_KeepsThem()
    {
        var outcome = ImageOutcome.Failed(Image, "HTTP 500", attempts: 3);

        Assert.That((outcome.Attempts, outcome.LastError), Is.EqualTo((3, (string?)"HTTP 500")));
    }
}
