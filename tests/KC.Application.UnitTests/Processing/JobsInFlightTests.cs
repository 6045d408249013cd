using KC.Application.Processing;

namespace KC.Application.UnitTests.Processing;

[TestFixture]
public sealed class JobsInFlightTests
{
    [Test]
    public void JobCancelled_WhenTheJobHasImagesInFlight_CancelsTheTokenOfEachOfThem()
    {
        var jobs = new JobsInFlight();
        var first = jobs.Enter(10);
        var second = jobs.Enter(10);

        jobs.JobCancelled(10);

        Assert.That((first.IsCancellationRequested, second.IsCancellationRequested), Is.EqualTo((true, true)));
    }

    [Test]
    public void JobCancelled_WhenAnotherJobIsInFlight_LeavesItsImagesRunning()
    {
        var jobs = new JobsInFlight();
        var cancelled = jobs.Enter(10);
        var other = jobs.Enter(20);

        jobs.JobCancelled(10);

        Assert.That(cancelled.IsCancellationRequested, Is.True);
        Assert.That(other.IsCancellationRequested, Is.False);
    }

    [Test]
    public void JobCancelled_WhenTheJobHasNoImagesHere_DoesNotReachItsLaterImages()
    {
        // A cancel through this node's API for a job another node works on: nothing to interrupt here.
        var jobs = new JobsInFlight();

        jobs.JobCancelled(10);

        Assert.That(jobs.Enter(10).IsCancellationRequested, Is.False);
    }

    [Test]
    public void Leave_WhenTheLastImageOfAJobLeaves_ForgetsTheJob()
    {
        var jobs = new JobsInFlight();
        jobs.Enter(10);
        jobs.Enter(10);
        jobs.Enter(20);

        jobs.Leave(10);
        var afterOne = jobs.JobIds();
        jobs.Leave(10);

        Assert.That(afterOne, Is.EquivalentTo(new long[] { 10, 20 }));
        Assert.That(jobs.JobIds(), Is.EqualTo(new long[] { 20 }));
    }

    [Test]
    public void Enter_WhenTheJobWasCancelledAndLeftBefore_GivesAFreshToken()
    {
        var jobs = new JobsInFlight();
        jobs.Enter(10);
        jobs.JobCancelled(10);
        jobs.Leave(10);

        var token = jobs.Enter(10);

        Assert.That(token.IsCancellationRequested, Is.False);
    }

    [Test]
    public void JobIds_WhenNothingIsInFlight_IsEmpty()
    {
        var jobs = new JobsInFlight();

        var ids = jobs.JobIds();

        Assert.That(ids, Is.Empty);
    }
}
