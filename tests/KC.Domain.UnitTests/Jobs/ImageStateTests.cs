using KC.Domain.Jobs;

namespace KC.Domain.UnitTests.Jobs;

[TestFixture]
public sealed class ImageStateTests
{
    [TestCase(ImageState.Pending, false)]
    [TestCase(ImageState.Processing, false)]
    [TestCase(ImageState.Succeeded, true)]
    [TestCase(ImageState.Failed, true)]
    public void IsSettled_WhenState_IsTrueOnlyForSucceededAndFailed(ImageState state, bool settled)
    {
        Assert.That(state.IsSettled(), Is.EqualTo(settled));
    }

    [TestCase(ImageState.Succeeded)]
    [TestCase(ImageState.Failed)]
    [TestCase(ImageState.Cancelled)]
    public void IsSettled_WhenImageHasAnOutcomeOrItsJobWasCancelled_IsTrueSoItTakesNoOtherOutcome(ImageState state)
    {
        Assert.That(state.IsSettled(), Is.True);
    }

    [Test]
    public void Values_WhenStored_KeepTheirNumbers()
    {
        // Stored as integers: renumbering would silently change every stored row.
        Assert.That(
            new[] { (int)ImageState.Pending, (int)ImageState.Processing, (int)ImageState.Succeeded, (int)ImageState.Failed },
            Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(
            new[] { (int)JobStatus.Ongoing, (int)JobStatus.Completed, (int)JobStatus.Failed },
            Is.EqualTo(new[] { 0, 1, 2 }));
    }
}
