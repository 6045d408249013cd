using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Application.Stores.Queries.GetStore;
using KC.Application.UnitTests.Common.Paging;
using Moq;

namespace KC.Application.UnitTests.Stores.Queries.GetStore;

[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class GetStoreHandlerTests
{
    private readonly Mock<IStoreReadModel> _readModel = new(MockBehavior.Strict);

    [Test]
    public async Task Handle_WhenStoreExists_ReturnsIt()
    {
        var store = new StoreView("S00000006", "HITECH CITY \"FRESH\" MART", "500081");
        _readModel.Setup(r => r.FindAsync("S00000006", It.IsAny<CancellationToken>())).ReturnsAsync(store);

        var result = await new GetStoreHandler(_readModel.Object).Handle(new GetStoreQuery("S00000006"), CancellationToken.None);

        Assert.That(result, Is.SameAs(store));
    }

    [Test]
    public void Handle_WhenStoreDoesNotExist_ThrowsNotFoundNamingTheStore()
    {
        _readModel.Setup(r => r.FindAsync("S9", It.IsAny<CancellationToken>())).ReturnsAsync((StoreView?)null);

        Func<Task> act = async () => await new GetStoreHandler(_readModel.Object).Handle(new GetStoreQuery("S9"), CancellationToken.None);

        Assert.That(act, Throws.TypeOf<NotFoundException>().With.Message.EqualTo("Store S9 was not found."));
    }

    [TestCase("", "is required")]
    [TestCase("SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS", "must be at most 64 characters")]
    public void Validate_WhenIdCannotNameAStore_NamesStoreId(string storeId, string message)
    {
        var errors = new GetStoreValidator().Errors(new GetStoreQuery(storeId));

        Assert.That(errors, Is.EqualTo(new[] { ("store_id", message) }));
    }
}
