using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Domain.Jobs;
using Moq;
using KC.TestSupport;

namespace KC.Application.UnitTests.Jobs.Commands.CancelJob;

// The mocks are fields: a fresh fixture per test keeps one test's calls out of another's verification.
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class CancelJobHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly Mock<IJobRepository> _jobs = new(MockBehavior.Strict);
    private readonly Mock<IJobReadModel> _readModel = new(MockBehavior.Strict);
    private readonly Mock<IJobCancellationSignal> _signal = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenJobIsOngoing_CancelsItSignalsTheWorkerAndReturnsItsStatus()
    {
        var view = new JobStatusView(5, JobStatus.Cancelled, new JobProgress(3, 1, 0), []);
        _jobs.Setup(j => j.TryCancelAsync(5, Now, It.IsAny<CancellationToken>())).ReturnsAsync(JobCancellation.Of(JobStatus.Ongoing));
        _readModel.Setup(r => r.GetStatusAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(view);
        _signal.Setup(s => s.JobCancelled(5));

        var result = await Handler().Handle(new CancelJobCommand(5), CancellationToken.None);

        Assert.That(result, Is.SameAs(view));
        _signal.Verify(s => s.JobCancelled(5), Times.Once);
    }

    [Test]
    public async Task Handle_WhenJobWasCancelledAlready_SignalsTheWorkerAgainAndReturnsItsStatus()
    {
        var view = new JobStatusView(5, JobStatus.Cancelled, new JobProgress(3, 1, 0), []);
        _jobs.Setup(j => j.TryCancelAsync(5, Now, It.IsAny<CancellationToken>())).ReturnsAsync(JobCancellation.Of(JobStatus.Cancelled));
        _readModel.Setup(r => r.GetStatusAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(view);
        _signal.Setup(s => s.JobCancelled(5));

        var result = await Handler().Handle(new CancelJobCommand(5), CancellationToken.None);

        Assert.That(result, Is.SameAs(view));
        _signal.Verify(s => s.JobCancelled(5), Times.Once);
    }

    [Test]
    public void Handle_WhenJobDoesNotExist_ThrowsNotFound()
    {
        _jobs.Setup(j => j.TryCancelAsync(5, Now, It.IsAny<CancellationToken>())).ReturnsAsync((JobCancellation?)null);

        Assert.That(async () => await Handler().Handle(new CancelJobCommand(5), CancellationToken.None), Throws.TypeOf<NotFoundException>());
        _signal.VerifyNoOtherCalls();
    }

    [TestCase(JobStatus.Completed, "completed")]
    [TestCase(JobStatus.Failed, "failed")]
    public void Handle_WhenJobHasFinished_ThrowsConflictNamingItsStatus(JobStatus status, string word)
    {
        _jobs.Setup(j => j.TryCancelAsync(5, Now, It.IsAny<CancellationToken>())).ReturnsAsync(JobCancellation.Of(status));

        Assert.That(
            async () => await Handler().Handle(new CancelJobCommand(5), CancellationToken.None),
            Throws.TypeOf<ConflictException>().With.Message.EqualTo($"Job 5 is already {word}; only an ongoing job can be cancelled."));
        _signal.VerifyNoOtherCalls();
    }

    private CancelJobHandler Handler() => new(_jobs.Object, _readModel.Object, _signal.Object, new FakeTimeProvider(Now));
}
