using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.RetryJob;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Jobs.Commands.RetryJob;

// The mocks are fields: a fresh fixture per test keeps one test's calls out of another's verification.
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class RetryJobHandlerTests
{
    private readonly Mock<IJobRepository> _jobs = new(MockBehavior.Strict);
    private readonly Mock<IJobReadModel> _readModel = new(MockBehavior.Strict);
    private readonly Mock<IWorkSignal> _work = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenFailedJobHadImagesRequeued_WakesTheWorkerAndReturnsItsStatus()
    {
        var view = new JobStatusView(5, JobStatus.Ongoing, new JobProgress(3, 1, 0), []);
        _jobs.Setup(j => j.TryRetryAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(JobRetry.Of(JobStatus.Failed, 2));
        _readModel.Setup(r => r.GetStatusAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(view);
        _work.Setup(w => w.NotifyWorkAvailable());

        var result = await Handler().Handle(new RetryJobCommand(5), CancellationToken.None);

        Assert.That(result, Is.SameAs(view));
        _work.Verify(w => w.NotifyWorkAvailable(), Times.Once);
    }

    [Test]
    public void Handle_WhenJobDoesNotExist_ThrowsNotFound()
    {
        _jobs.Setup(j => j.TryRetryAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync((JobRetry?)null);

        Assert.That(async () => await Handler().Handle(new RetryJobCommand(5), CancellationToken.None), Throws.TypeOf<NotFoundException>());
        _work.VerifyNoOtherCalls();
    }

    [TestCase(JobStatus.Ongoing, "ongoing")]
    [TestCase(JobStatus.Completed, "completed")]
    [TestCase(JobStatus.Cancelled, "cancelled")]
    public void Handle_WhenJobIsNotFailed_ThrowsConflictNamingItsStatus(JobStatus status, string word)
    {
        _jobs.Setup(j => j.TryRetryAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(JobRetry.Of(status));

        Assert.That(
            async () => await Handler().Handle(new RetryJobCommand(5), CancellationToken.None),
            Throws.TypeOf<ConflictException>().With.Message.EqualTo($"Job 5 is {word}; only a failed job can be retried."));
        _work.VerifyNoOtherCalls();
    }

    [Test]
    public void Handle_WhenOnlyUnknownStoresFailed_ThrowsConflictSayingToImportTheStore()
    {
        _jobs.Setup(j => j.TryRetryAsync(5, It.IsAny<CancellationToken>())).ReturnsAsync(JobRetry.Of(JobStatus.Failed));

        Assert.That(
            async () => await Handler().Handle(new RetryJobCommand(5), CancellationToken.None),
            Throws.TypeOf<ConflictException>().With.Message.Contains("not in the store master"));
        _work.VerifyNoOtherCalls();
    }

    [Test]
    public void Validate_WhenJobIdIsNotPositive_NamesJobId()
    {
        var result = new RetryJobValidator().Validate(new RetryJobCommand(0));

        Assert.That(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)), Is.EqualTo(new[] { ("job_id", "must be a positive integer") }));
    }

    private RetryJobHandler Handler() => new(_jobs.Object, _readModel.Object, _work.Object);
}
