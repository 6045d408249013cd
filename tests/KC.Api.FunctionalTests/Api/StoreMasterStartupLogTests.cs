using System.Text;
using KC.Api.FunctionalTests.Infrastructure;
using KC.TestSupport;

namespace KC.Api.FunctionalTests.Api;

/// <summary>The store master imported at start logs its rejected rows as the upload reports them: the first hundred, then a count.</summary>
[NonParallelizable]
public sealed class StoreMasterStartupLogTests
{
    [Test]
    public async Task Start_WhenTheMasterHasMoreRejectedRowsThanAreListed_LogsTheFirstHundredAndHowManyMore()
    {
        var master = Path.Combine(Path.GetTempPath(), $"kc-master-{Guid.NewGuid():N}.csv");
        var csv = new StringBuilder("AreaCode,StoreName,StoreID\n710006,BHARAT STORE,S00339218\n");
        csv.Insert(csv.Length, "garbage\n", 250);
        await File.WriteAllTextAsync(master, csv.ToString());
        try
        {
            await using var database = await TestDatabase.CreateAsync();
            var settings = database.With(new Dictionary<string, string?> { ["StoreMaster:CsvPath"] = master });

            IReadOnlyList<string> output;
            await using (var service = await ServiceProcess.StartAsync(database.ConnectionString, settings))
            {
                output = service.Output;
            }

            var listed = output.Where(l => l.Contains(" rejected: expected 3 fields, found 1", StringComparison.Ordinal)).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(output, Has.Some.Contains($"Store master {master}: 1 inserted, 0 updated, 0 unchanged, 250 rejected"));
                Assert.That(listed, Has.Count.EqualTo(100));
                Assert.That(listed[0], Does.Contain($"Store master {master} line 3 rejected"));
                Assert.That(listed[^1], Does.Contain($"Store master {master} line 102 rejected"));
                Assert.That(output, Has.Some.Contains($"Store master {master}: 150 more rejected rows are not listed; only the first 100 are"));
            });
        }
        finally
        {
            File.Delete(master);
        }
    }
}
