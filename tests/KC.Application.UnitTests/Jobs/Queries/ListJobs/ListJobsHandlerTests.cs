using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Jobs.Queries.ListJobs;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Jobs.Queries.ListJobs;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ListJobsHandlerTests
{
    private readonly Mock<IJobListReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenNothingIsGiven_ReadsTheFirstDefaultPageOfEveryStatus()
    {
        var page = new ResultPage<JobSummaryView>([], new PageRequest(1, 50), 0);
        _readModel.Setup(r => r.ListAsync(null, new PageRequest(1, 50), It.IsAny<CancellationToken>())).ReturnsAsync(page);

        var result = await new ListJobsHandler(_readModel.Object).Handle(new ListJobsQuery(), CancellationToken.None);

        Assert.That(result, Is.SameAs(page));
    }

    [TestCase("ongoing", JobStatus.Ongoing)]
    [TestCase("completed", JobStatus.Completed)]
    [TestCase("failed", JobStatus.Failed)]
    [TestCase("cancelled", JobStatus.Cancelled)]
    public async Task Handle_WhenStatusIsGiven_ReadsOnlyThatStatusOnTheRequestedPage(string word, JobStatus status)
    {
        var page = new ResultPage<JobSummaryView>([], new PageRequest(3, 20), 0);
        _readModel.Setup(r => r.ListAsync(status, new PageRequest(3, 20), It.IsAny<CancellationToken>())).ReturnsAsync(page);

        var result = await new ListJobsHandler(_readModel.Object).Handle(new ListJobsQuery(word, 3, 20), CancellationToken.None);

        Assert.That(result, Is.SameAs(page));
    }
}
