using KC.Infrastructure.IntegrationTests.Persistence;
using System.Globalization;
using KC.Infrastructure.StoreMaster;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;

namespace KC.Infrastructure.IntegrationTests.StoreMaster;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class StoreMasterRepositoryTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    [Test]
    public async Task FindExistingAsync_WhenIdsSpanSeveralLookupChunks_FindsExactlyTheExistingOnes()
    {
        await Database.SeedStoresAsync([.. StoreIds(1, 1_200).Select(id => NewStore(id))]);
        // 1,450 ids (three chunks of at most 500), the missing ones first, then existing and missing mixed.
        var asked = StoreIds(1, 1_300).Concat(Enumerable.Range(0, 150).Select(i => $"MISSING-{i}")).Reverse().ToList();

        var found = await FindExistingAsync(asked);

        Assert.That(found, Is.EquivalentTo(StoreIds(1, 1_200)));
    }

    [Test]
    public async Task FindExistingAsync_WhenExistingIdsAreOnlyInTheLastChunk_FindsThem()
    {
        await Database.SeedStoresAsync(NewStore("RP09999"), NewStore("RP09998"));
        var asked = Enumerable.Range(0, 1_000).Select(i => $"MISSING-{i}").Append("RP09999").Append("RP09998").ToList();

        var found = await FindExistingAsync(asked);

        Assert.That(found, Is.EquivalentTo(new[] { "RP09999", "RP09998" }));
    }

    [Test]
    public async Task FindExistingAsync_WhenIdDiffersOnlyInCase_DoesNotFindIt()
    {
        await Database.SeedStoresAsync(NewStore("RP00001"));

        var found = await FindExistingAsync(["rp00001", "RP00001"]);

        Assert.That(found, Is.EquivalentTo(new[] { "RP00001" }));
    }

    [Test]
    public async Task FindExistingAsync_WhenNoIdsAreGiven_ReturnsEmpty()
    {
        await Database.SeedStoresAsync(NewStore("RP00001"));

        var found = await FindExistingAsync([]);

        Assert.That(found, Is.Empty);
    }

    private static IEnumerable<string> StoreIds(int first, int count) =>
        Enumerable.Range(first, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"RP{i:D5}"));

    private async Task<IReadOnlySet<string>> FindExistingAsync(IReadOnlyCollection<string> storeIds)
    {
        await using var db = Database.CreateContext();
        return await new StoreMasterRepository(db).FindExistingAsync(storeIds, CancellationToken.None);
    }
}
