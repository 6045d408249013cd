using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Visits.Queries.SearchVisits;
using Moq;

namespace KC.Application.UnitTests.Visits.Queries.SearchVisits;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SearchVisitsHandlerTests
{
    private static readonly ResultPage<VisitResultView> Empty = new([], new PageRequest(1, 50), 0);

    private readonly Mock<IVisitReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenDatesArePlainDays_SearchesFromTheFirstMidnightToBeforeTheMidnightAfterTheLast()
    {
        var expected = new VisitSearch(
            "710006",
            "S00339218",
            new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2025, 3, 12, 0, 0, 0, TimeSpan.Zero));
        _readModel.Setup(r => r.SearchAsync(expected, new PageRequest(2, 10), It.IsAny<CancellationToken>())).ReturnsAsync(Empty);

        var result = await Handler().Handle(new SearchVisitsQuery("710006", "S00339218", "2025-03-10", "2025-03-11", 2, 10), CancellationToken.None);

        Assert.That(result, Is.SameAs(Empty));
    }

    [Test]
    public async Task Handle_WhenDatesAreTimestamps_SearchesTheirUtcInstantsWithTheEndIncluded()
    {
        var twelve = new DateTimeOffset(2025, 3, 11, 12, 0, 0, TimeSpan.Zero);
        var expected = new VisitSearch(null, null, twelve, twelve.AddMicroseconds(1));
        _readModel.Setup(r => r.SearchAsync(expected, new PageRequest(1, 50), It.IsAny<CancellationToken>())).ReturnsAsync(Empty);

        var result = await Handler().Handle(new SearchVisitsQuery(StartDate: "2025-03-11T17:30:00+05:30", EndDate: "2025-03-11T12:00:00Z"), CancellationToken.None);

        Assert.That(result, Is.SameAs(Empty));
    }

    [Test]
    public async Task Handle_WhenFiltersAreBlankOrPadded_DropsOrTrimsThem()
    {
        var expected = new VisitSearch(null, "S01408764", null, null);
        _readModel.Setup(r => r.SearchAsync(expected, new PageRequest(1, 50), It.IsAny<CancellationToken>())).ReturnsAsync(Empty);

        var result = await Handler().Handle(new SearchVisitsQuery(Area: "  ", StoreId: " S01408764 "), CancellationToken.None);

        Assert.That(result, Is.SameAs(Empty));
    }

    private SearchVisitsHandler Handler() => new(_readModel.Object);
}
