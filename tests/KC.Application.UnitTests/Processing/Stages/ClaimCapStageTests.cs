using KC.Application.Processing;
using KC.Application.Processing.Stages;

namespace KC.Application.UnitTests.Processing.Stages;

[TestFixture]
public sealed class ClaimCapStageTests
{
    private const int MaxClaims = 10;

    private static ImageInFlight Claimed(int claims) =>
        new(new ClaimedImage(1, JobId: 10, VisitId: 100, "https://images.example.com/1.jpg", PriorAttempts: 2, claims));

    [Test]
    public async Task RunAsync_WhenTheImageIsOnItsLastAllowedClaim_PassesItOn()
    {
        var stage = new ClaimCapStage(MaxClaims);

        var outcome = await stage.RunAsync(Claimed(MaxClaims), CancellationToken.None);

        Assert.That(outcome, Is.Null);
    }

    [Test]
    public async Task RunAsync_WhenTheImageWasClaimedMoreThanMaxClaimsTimes_FailsItWithNoAttempts()
    {
        var stage = new ClaimCapStage(MaxClaims);
        var image = Claimed(MaxClaims + 1);

        var outcome = await stage.RunAsync(image, CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(ImageOutcome.Failed(
            image.Claimed,
            "abandoned after 10 claims without an outcome: each node that claimed it stopped before finishing it (Processing:MaxClaims)",
            attempts: 0,
            ImageFailureReason.Abandoned)));
    }
}
