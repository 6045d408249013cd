namespace KC.Application.Processing.Stages;

/// <summary>
/// Fails, before any work, an image claimed more than <c>Processing:MaxClaims</c> times without an
/// outcome: whatever it does takes its node down with it, and would take every node in turn (ADR 0020).
/// </summary>
internal sealed class ClaimCapStage(int maxClaims) : IImageStage
{
    public ValueTask<ImageOutcome?> RunAsync(ImageInFlight image, CancellationToken cancellationToken)
    {
        var claims = image.Claimed.Claims;
        return ValueTask.FromResult(claims <= maxClaims
            ? null
            : image.Failed(
                $"abandoned after {claims - 1} claims without an outcome: each node that claimed it stopped before finishing it (Processing:MaxClaims)",
                ImageFailureReason.Abandoned));
    }
}
