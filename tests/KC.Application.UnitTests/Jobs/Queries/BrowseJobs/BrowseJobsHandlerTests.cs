using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;
using Moq;

namespace KC.Application.UnitTests.Jobs.Queries.BrowseJobs;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class BrowseJobsHandlerTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly Mock<IJobListReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenMoreJobsThanAPageMatch_PointsTheOlderCursorAtTheLastJobShown()
    {
        Below(null, 10, 9, 8);

        var page = await Handle(new BrowseJobsQuery(new JobFilterText(), PageSize: 2));

        Assert.That((Ids(page), page.OlderThan, page.NewerThan), Is.EqualTo((new long[] { 10, 9 }, (long?)9, (long?)null)));
    }

    [Test]
    public async Task Handle_WhenAnOlderPageIsTheLast_HasANewerCursorAndNoOlderOne()
    {
        Below(9, 8, 7);

        var page = await Handle(new BrowseJobsQuery(new JobFilterText(), OlderThan: 9, PageSize: 2));

        Assert.That((Ids(page), page.OlderThan, page.NewerThan), Is.EqualTo((new long[] { 8, 7 }, (long?)null, (long?)8)));
    }

    [Test]
    public async Task Handle_WhenANewerPageIsAskedForWithMoreAboveIt_ShowsItNewestFirstWithBothCursors()
    {
        _readModel.Setup(r => r.BrowseAsync(It.IsAny<JobFilter>(), 4, true, 3, It.IsAny<CancellationToken>())).ReturnsAsync([Job(5), Job(6), Job(7)]);

        var page = await Handle(new BrowseJobsQuery(new JobFilterText(), NewerThan: 4, PageSize: 2));

        Assert.That((Ids(page), page.OlderThan, page.NewerThan), Is.EqualTo((new long[] { 6, 5 }, (long?)5, (long?)6)));
    }

    [Test]
    public async Task Handle_WhenLessThanAPageIsAboveTheNewerCursor_ShowsTheNewestPage()
    {
        _readModel.Setup(r => r.BrowseAsync(It.IsAny<JobFilter>(), 8, true, 3, It.IsAny<CancellationToken>())).ReturnsAsync([Job(9)]);
        Below(null, 9, 8, 7);

        var page = await Handle(new BrowseJobsQuery(new JobFilterText(), NewerThan: 8, PageSize: 2));

        Assert.That((Ids(page), page.OlderThan, page.NewerThan), Is.EqualTo((new long[] { 9, 8 }, (long?)8, (long?)null)));
    }

    [Test]
    public async Task Handle_WithAFilter_HandsTheReadModelItsParsedForm()
    {
        JobFilter? seen = null;
        _readModel.Setup(r => r.BrowseAsync(It.IsAny<JobFilter>(), null, false, 51, It.IsAny<CancellationToken>()))
            .Callback((JobFilter filter, long? _, bool _, int _, CancellationToken _) => seen = filter)
            .ReturnsAsync([]);

        await Handle(new BrowseJobsQuery(new JobFilterText("failed", " S1 ", "", "2025-03-11", "2025-03-11", 7)));

        Assert.That(seen, Is.EqualTo(new JobFilter(
            JobStatus.Failed,
            "S1",
            null,
            new DateTimeOffset(2025, 3, 11, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 3, 12, 0, 0, 0, TimeSpan.Zero),
            7)));
    }

    [TestCase("lost", "status")]
    [TestCase("2025-13-01", "from")]
    public void Validate_WhenAFilterIsNotReadable_NamesIt(string text, string field)
    {
        var filter = field == "status" ? new JobFilterText(Status: text) : new JobFilterText(From: text);

        var result = new BrowseJobsValidator().Validate(new BrowseJobsQuery(filter));

        Assert.That(result.Errors.Select(e => e.PropertyName), Is.EqualTo(new[] { field }));
    }

    [Test]
    public void Validate_WhenTheRangeEndsBeforeItStarts_NamesFrom()
    {
        var result = new BrowseJobsValidator().Validate(new BrowseJobsQuery(new JobFilterText(From: "2025-03-12", To: "2025-03-11")));

        Assert.That(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)), Is.EqualTo(new[] { ("from", "must not be after to") }));
    }

    private void Below(long? cursor, params long[] ids) =>
        _readModel.Setup(r => r.BrowseAsync(It.IsAny<JobFilter>(), cursor, false, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((JobFilter _, long? _, bool _, int take, CancellationToken _) => ids.Take(take).Select(Job).ToList());

    private async Task<JobBrowsePage> Handle(BrowseJobsQuery query) => await new BrowseJobsHandler(_readModel.Object).Handle(query, CancellationToken.None);

    private static long[] Ids(JobBrowsePage page) => page.Items.Select(j => j.JobId).ToArray();

    private static JobSummaryView Job(long id) => new(id, JobStatus.Completed, Created, Created, new JobProgress(1, 1, 0));
}
