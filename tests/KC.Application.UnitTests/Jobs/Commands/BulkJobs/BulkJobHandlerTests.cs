using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.BulkJobs;
using KC.Application.Jobs.Commands.CancelJob;
using KC.Application.Jobs.Commands.RetryJob;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;
using Mediator;
using Moq;

namespace KC.Application.UnitTests.Jobs.Commands.BulkJobs;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class BulkJobHandlerTests
{
    private readonly Mock<IJobListReadModel> _readModel = new(MockBehavior.Strict);
    private readonly Mock<ISender> _sender = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenJobsAreListed_CancelsEachWithTheOneJobCommandAndReportsTheRefusals()
    {
        _sender.Setup(s => s.Send(It.Is<CancelJobCommand>(c => c.JobId == 1), It.IsAny<CancellationToken>())).ReturnsAsync(Status(1));
        _sender.Setup(s => s.Send(It.Is<CancelJobCommand>(c => c.JobId == 2), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConflictException("Job 2 is already completed; only an ongoing job can be cancelled."));
        _sender.Setup(s => s.Send(It.Is<CancelJobCommand>(c => c.JobId == 3), It.IsAny<CancellationToken>())).ThrowsAsync(new NotFoundException("Job", 3));

        var result = await Handler().Handle(new BulkJobCommand(BulkJobAction.Cancel, [1, 2, 3, 1]), CancellationToken.None);

        Assert.That(result.Done, Is.EqualTo(new long[] { 1 }));
        Assert.That(result.Refused.Select(r => r.JobId), Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(result.Refused[0].Reason, Is.EqualTo("Job 2 is already completed; only an ongoing job can be cancelled."));
        Assert.That(result.MoreMatching, Is.False);
        _sender.Verify(s => s.Send(It.Is<CancelJobCommand>(c => c.JobId == 1), It.IsAny<CancellationToken>()), Times.Once, "a job listed twice is done once");
    }

    [Test]
    public async Task Handle_WhenAFilterMatchesMoreThanOneCommandTakes_RetriesTheNewestHundredFailedJobsAndSaysMoreMatch()
    {
        JobFilter? seen = null;
        var ids = Enumerable.Range(1, BulkJobCommand.MaxJobs + 1).Select(i => (long)i).ToList();
        _readModel.Setup(r => r.FindIdsAsync(It.IsAny<JobFilter>(), BulkJobCommand.MaxJobs + 1, It.IsAny<CancellationToken>()))
            .Callback((JobFilter filter, int _, CancellationToken _) => seen = filter)
            .ReturnsAsync(ids);
        _sender.Setup(s => s.Send(It.IsAny<RetryJobCommand>(), It.IsAny<CancellationToken>())).ReturnsAsync((RetryJobCommand c, CancellationToken _) => Status(c.JobId));

        var result = await Handler().Handle(new BulkJobCommand(BulkJobAction.Retry, Filter: new JobFilterText(StoreId: "S1")), CancellationToken.None);

        Assert.That(seen, Is.EqualTo(new JobFilter(JobStatus.Failed, "S1")));
        Assert.That(result.Done, Has.Count.EqualTo(BulkJobCommand.MaxJobs));
        Assert.That(result.MoreMatching, Is.True);
    }

    [Test]
    public async Task Handle_WhenTheFilterAsksForAStatusTheActionDoesNotApplyTo_DoesNothing()
    {
        var result = await Handler().Handle(new BulkJobCommand(BulkJobAction.Cancel, Filter: new JobFilterText(Status: "completed")), CancellationToken.None);

        Assert.That((result.Done.Count, result.Refused.Count, result.MoreMatching), Is.EqualTo((0, 0, false)));
        _readModel.VerifyNoOtherCalls();
        _sender.VerifyNoOtherCalls();
    }

    [Test]
    public async Task CountHandle_WhenTheFilterHasNoStatus_CountsOnlyTheJobsTheActionAppliesTo()
    {
        _readModel.Setup(r => r.CountAsync(new JobFilter(JobStatus.Ongoing, null, "710006", null, null, null), It.IsAny<CancellationToken>())).ReturnsAsync(37);

        var count = await new CountBulkJobsHandler(_readModel.Object).Handle(new CountBulkJobsQuery(BulkJobAction.Cancel, new JobFilterText(Area: "710006")), CancellationToken.None);

        Assert.That(count, Is.EqualTo(37));
    }

    [TestCase(0)]
    [TestCase(BulkJobCommand.MaxJobs + 1)]
    public void Validate_WhenTheListIsEmptyOrTooLong_NamesIds(int count)
    {
        var command = new BulkJobCommand(BulkJobAction.Cancel, Enumerable.Range(1, count).Select(i => (long)i).ToList());

        var result = new BulkJobValidator().Validate(command);

        Assert.That(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)), Is.EqualTo(new[] { ("ids", $"must name between 1 and {BulkJobCommand.MaxJobs} jobs") }));
    }

    [Test]
    public void Validate_WhenNeitherJobsNorAFilterAreGiven_NamesIds()
    {
        var result = new BulkJobValidator().Validate(new BulkJobCommand(BulkJobAction.Retry));

        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { "ids" }));
    }

    private BulkJobHandler Handler() => new(_readModel.Object, _sender.Object);

    private static JobStatusView Status(long id) => new(id, JobStatus.Cancelled, new JobProgress(1, 0, 0, 1), []);
}
