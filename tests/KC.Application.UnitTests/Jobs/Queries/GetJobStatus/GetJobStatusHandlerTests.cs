using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Queries.GetJobStatus;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Jobs.Queries.GetJobStatus;

[TestFixture]
public sealed class GetJobStatusHandlerTests
{
    [Test]
    public async Task Handle_WhenJobExists_ReturnsTheReadModelsView()
    {
        var view = new JobStatusView(7, JobStatus.Failed, new JobProgress(2, 1, 1), [new StoreError("S1", "https://example.com/a.jpg: HTTP 404")]);
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetStatusAsync(7, It.IsAny<CancellationToken>())).ReturnsAsync(view);

        var result = await new GetJobStatusHandler(readModel.Object).Handle(new GetJobStatusQuery(7), CancellationToken.None);

        Assert.That(result, Is.SameAs(view));
    }

    [Test]
    public async Task Handle_WhenJobDoesNotExist_ReturnsNull()
    {
        var readModel = new Mock<IJobReadModel>(MockBehavior.Strict);
        readModel.Setup(m => m.GetStatusAsync(8, It.IsAny<CancellationToken>())).ReturnsAsync((JobStatusView?)null);

        var result = await new GetJobStatusHandler(readModel.Object).Handle(new GetJobStatusQuery(8), CancellationToken.None);

        Assert.That(result, Is.Null);
    }
}
