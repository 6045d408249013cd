using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Queries.GetJobDetails;
using KC.Domain.Jobs;
using Moq;
using KC.TestSupport;

namespace KC.Application.UnitTests.Jobs.Queries.GetJobDetails;

[TestFixture]
public sealed class GetJobDetailsHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 10, 0, 10, TimeSpan.Zero);

    private static JobDetailsView Details(long jobId = 7) => new(
        jobId,
        JobStatus.Completed,
        new DateTimeOffset(2026, 1, 2, 10, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 1, 2, 10, 0, 4, TimeSpan.Zero),
        new JobProgress(1, 1, 0),
        [
            new VisitView(
                "S00339218",
                "BHARAT STORE",
                "710006",
                new DateTimeOffset(2025, 3, 11, 12, 0, 0, TimeSpan.Zero),
                JobStatus.Completed,
                [new ImageView("https://example.com/a.jpg", ImageState.Succeeded, 1, 640, 480, 2240, null)]),
        ],
        []);

    [Test]
    public async Task Handle_WhenJobExists_ReturnsTheReadModelsView()
    {
        var view = Details();
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetDetailsAsync(7, It.IsAny<CancellationToken>())).ReturnsAsync(view);

        var result = await new GetJobDetailsHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetJobDetailsQuery(7), CancellationToken.None);

        Assert.That(result, Is.SameAs(view));
    }

    [Test]
    public void Handle_WhenJobDoesNotExist_ThrowsNotFoundNamingTheJob()
    {
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetDetailsAsync(8, It.IsAny<CancellationToken>())).ReturnsAsync((JobDetailsView?)null);

        Func<Task> act = async () => await new GetJobDetailsHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetJobDetailsQuery(8), CancellationToken.None);

        Assert.That(
            act,
            Throws.TypeOf<NotFoundException>()
                .With.Property(nameof(NotFoundException.Resource)).EqualTo("Job")
                .And.Property(nameof(NotFoundException.Key)).EqualTo("8")
                .And.Message.EqualTo("Job 8 was not found."));
    }

    [Test]
    public async Task Handle_WhenJobIsOngoing_AddsAnEstimateFromTheObservedRate()
    {
        var view = Details() with { Status = JobStatus.Ongoing, CompletedAt = null, Progress = new JobProgress(4, 1, 0) };
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetDetailsAsync(7, It.IsAny<CancellationToken>())).ReturnsAsync(view);

        var result = await new GetJobDetailsHandler(readModel.Object, new FakeTimeProvider(Now)).Handle(new GetJobDetailsQuery(7), CancellationToken.None);

        // One image in the ten seconds since creation: three more take thirty.
        Assert.That(result.EstimatedCompletionAt, Is.EqualTo(Now.AddSeconds(30)));
    }
}
