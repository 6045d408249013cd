using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Stores.Queries.ListStores;
using KC.Application.UnitTests.Common.Paging;
using Moq;

namespace KC.Application.UnitTests.Stores.Queries.ListStores;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ListStoresHandlerTests
{
    private static readonly ResultPage<StoreView> Empty = new([], new PageRequest(1, 50), 0);

    private readonly Mock<IStoreReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenFiltersArePadded_ReadsTheTrimmedFiltersOnTheRequestedPage()
    {
        _readModel.Setup(r => r.ListAsync("560034", "mart", new PageRequest(2, 5), It.IsAny<CancellationToken>())).ReturnsAsync(Empty);

        var result = await new ListStoresHandler(_readModel.Object).Handle(new ListStoresQuery(" 560034 ", " mart ", 2, 5), CancellationToken.None);

        Assert.That(result, Is.SameAs(Empty));
    }

    [Test]
    public async Task Handle_WhenFiltersAreBlank_ReadsEveryStore()
    {
        _readModel.Setup(r => r.ListAsync(null, null, new PageRequest(1, 50), It.IsAny<CancellationToken>())).ReturnsAsync(Empty);

        var result = await new ListStoresHandler(_readModel.Object).Handle(new ListStoresQuery("", "   "), CancellationToken.None);

        Assert.That(result, Is.SameAs(Empty));
    }

    [Test]
    public void Validate_WhenFiltersAreTooLongAndPagingIsOutOfRange_NamesEachParameter()
    {
        var errors = new ListStoresValidator().Errors(new ListStoresQuery(new string('1', 33), new string('a', 257), 0, 501));

        Assert.That(
            errors,
            Is.EqualTo(new[]
            {
                ("area", "must be at most 32 characters"),
                ("q", "must be at most 256 characters"),
                ("page", "must be a positive integer"),
                ("page_size", "must be between 1 and 500"),
            }));
    }

    [Test]
    public void Validate_WhenFiltersFitAStore_HasNoErrors()
    {
        var errors = new ListStoresValidator().Errors(new ListStoresQuery(new string('1', 32), new string('a', 256), 1, 500));

        Assert.That(errors, Is.Empty);
    }
}
