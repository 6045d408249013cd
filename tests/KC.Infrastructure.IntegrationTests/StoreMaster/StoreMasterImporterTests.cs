using KC.Infrastructure.IntegrationTests.Persistence;
using System.Text;
using KC.Infrastructure.StoreMaster;
using Microsoft.EntityFrameworkCore;
using KC.Infrastructure.Persistence;

namespace KC.Infrastructure.IntegrationTests.StoreMaster;

[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class StoreMasterImporterTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private const string Header = "AreaCode,StoreName,StoreID";

    [Test]
    public async Task ImportAsync_WhenDatabaseIsEmpty_InsertsEveryRow()
    {
        var csv = Csv("710006,BHARAT STORE,S00339218", "7100015,\"Nikita Store, 2\",S01408764");

        var summary = await ImportAsync(csv);

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((2, 0, 0)));
        Assert.That(summary.Rejected, Is.Empty);
        Assert.That(await ReadStoresAsync(), Is.EqualTo(new[]
        {
            ("S00339218", "BHARAT STORE", "710006"),
            ("S01408764", "Nikita Store, 2", "7100015"),
        }));
    }

    [Test]
    public async Task ImportAsync_WhenCsvChanged_UpdatesChangedStoresAndCountsTheRestUnchanged()
    {
        await ImportAsync(Csv("1,Alpha,RP1", "2,Beta,RP2", "3,Gamma,RP3"));

        var summary = await ImportAsync(Csv("1,Alpha,RP1", "2,Beta Renamed,RP2", "33,Gamma,RP3", "4,Delta,RP4"));

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((1, 2, 1)));
        Assert.That(await ReadStoresAsync(), Is.EqualTo(new[]
        {
            ("RP1", "Alpha", "1"),
            ("RP2", "Beta Renamed", "2"),
            ("RP3", "Gamma", "33"),
            ("RP4", "Delta", "4"),
        }));
    }

    [Test]
    public async Task ImportAsync_WhenSameCsvIsImportedAgain_ReportsEveryRowUnchanged()
    {
        var csv = Csv("1,Alpha,RP1", "2,\"Beta, Two\",RP2");
        await ImportAsync(csv);

        var summary = await ImportAsync(csv);

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((0, 0, 2)));
    }

    [Test]
    public async Task ImportAsync_WhenStoreIsAbsentFromNewCsv_KeepsIt()
    {
        await ImportAsync(Csv("1,Alpha,RP1", "2,Beta,RP2"));

        var summary = await ImportAsync(Csv("1,Alpha,RP1"));

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((0, 0, 1)));
        Assert.That((await ReadStoresAsync()).Select(s => s.StoreId), Is.EqualTo(new[] { "RP1", "RP2" }));
    }

    [Test]
    public async Task ImportAsync_WhenRowsAreRejected_ReturnsThemWithLineNumbersAndImportsTheRest()
    {
        var csv = Csv(
            "1,Alpha,RP1",
            "2,,RP2",
            "3,Gamma",
            "4,Alpha Again,RP1",
            "5,Epsilon,RP5");

        var summary = await ImportAsync(csv);

        Assert.That(summary.Inserted, Is.EqualTo(2));
        Assert.That(summary.Rejected.Select(r => r.Line), Is.EqualTo(new[] { 3, 4, 5 }));
        Assert.That(summary.Rejected[0].Reason, Does.Contain("store_name"));
        Assert.That(summary.Rejected[1].Reason, Does.Contain("expected 3 fields"));
        Assert.That(summary.Rejected[2].Reason, Does.Contain("duplicate store_id RP1"));
        Assert.That((await ReadStoresAsync()).Select(s => s.StoreId), Is.EqualTo(new[] { "RP1", "RP5" }));
    }

    [Test]
    public async Task ImportAsync_WhenRejectedRowNamesAnExistingStore_LeavesThatStoreAsItWas()
    {
        await ImportAsync(Csv("1,Alpha,RP1"));

        var summary = await ImportAsync(Csv("9,,RP1"));

        Assert.That(summary.Rejected.Select(r => r.Line), Is.EqualTo(new[] { 2 }));
        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((0, 0, 0)));
        Assert.That(await ReadStoresAsync(), Is.EqualTo(new[] { ("RP1", "Alpha", "1") }));
    }

    [Test]
    public async Task ImportAsync_WhenMasterIsLarge_InsertsEveryStore()
    {
        var rows = Enumerable.Range(1, 4_944).Select(i => $"7100015,\"Store {i}, Main Road\",RP{i:D5}").ToArray();

        var summary = await ImportAsync(Csv(rows));

        Assert.That(summary.Inserted, Is.EqualTo(4_944));
        await using var db = Database.CreateContext();
        Assert.That(await db.Stores.CountAsync(), Is.EqualTo(4_944));
        Assert.That((await db.Stores.SingleAsync(s => s.StoreId == "RP04944")).StoreName, Is.EqualTo("Store 4944, Main Road"));
    }

    [Test]
    public async Task ImportAsync_WhenFileSpansSeveralBatches_UpsertsEveryRowAndRefusesRepeatsAcrossBatches()
    {
        var batch = StoreMasterImporter.BatchSize;
        await ImportAsync(Csv([.. Enumerable.Range(1, batch).Select(i => $"1,Old {i},RP{i:D5}")]));
        var rows = Enumerable.Range(1, (2 * batch) + 10).Select(i => $"2,{(i % 2 == 0 ? "New" : "Old")} {i},RP{i:D5}").ToList();
        rows.Add("3,Repeat of the first,RP00001");
        rows.Add($"3,Repeat from the second batch,RP{batch + 1:D5}");

        var summary = await ImportAsync(Csv([.. rows]));

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((batch + 10, batch, 0)));
        Assert.That(summary.Rejected, Is.EqualTo(new[]
        {
            new RejectedRow((2 * batch) + 12, "duplicate store_id RP00001 (first seen on line 2)"),
            new RejectedRow((2 * batch) + 13, $"duplicate store_id RP{batch + 1:D5} (first seen on line {batch + 2})"),
        }));
        Assert.That(summary.RejectedTotal, Is.EqualTo(2));
        var stores = await ReadStoresAsync();
        Assert.That(stores, Has.Count.EqualTo((2 * batch) + 10));
        Assert.That(stores.Where(s => s.AreaCode != "2"), Is.Empty, "every row of every batch was written, none of the repeats");
        Assert.That(stores[1], Is.EqualTo(("RP00002", "New 2", "2")));
    }

    [Test]
    public async Task ImportAsync_WhenFileIsGarbage_ListsTheFirstRejectedRowsAndCountsThemAll()
    {
        var garbage = new StringBuilder(Header + "\n");
        garbage.Insert(garbage.Length, "x\n", 100_000);
        garbage.Append("1,Kept,RP1\n");

        var summary = await ImportAsync(garbage.ToString());

        Assert.That((summary.Inserted, summary.Updated, summary.Unchanged), Is.EqualTo((1, 0, 0)));
        Assert.That(summary.RejectedTotal, Is.EqualTo(100_000));
        Assert.That(summary.Rejected.Select(r => r.Line), Is.EqualTo(Enumerable.Range(2, StoreImportSummary.MaxListedRejections)));
        Assert.That(summary.Rejected.Select(r => r.Reason).Distinct(), Is.EqualTo(new[] { "expected 3 fields, found 1" }));
    }

    [Test]
    public async Task ImportAsync_WhenTheFileBecomesUnreadableAfterSeveralBatches_ImportsNothing()
    {
        var csv = new StringBuilder(Csv([.. Enumerable.Range(1, (2 * StoreMasterImporter.BatchSize) + 1).Select(i => $"1,Store {i},RP{i:D5}")]));
        csv.Append("1,\"An unclosed quote,RP99999\n");
        for (var swallowed = 0; swallowed <= 3 * StoreMasterCsvParser.MaxRecordBytes; swallowed += 20)
        {
            csv.Append("1,Swallowed,RP99998\n");
        }

        Assert.That(async () => await ImportAsync(csv.ToString()), Throws.TypeOf<StoreMasterFormatException>());

        Assert.That(await ReadStoresAsync(), Is.Empty, "the batches written before the failure were rolled back");
    }

    private static string Csv(params string[] rows) => Header + "\r\n" + string.Join("\r\n", rows) + "\r\n";

    private async Task<StoreImportSummary> ImportAsync(string csv)
    {
        await using var db = Database.CreateContext();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await new StoreMasterImporter(db).ImportAsync(stream, CancellationToken.None);
    }

    private async Task<IReadOnlyList<(string StoreId, string StoreName, string AreaCode)>> ReadStoresAsync()
    {
        await using var db = Database.CreateContext();
        var stores = await db.Stores.AsNoTracking().OrderBy(s => s.StoreId).ToListAsync();
        return [.. stores.Select(s => (s.StoreId, s.StoreName, s.AreaCode))];
    }
}
