using KC.Application.Processing;
using KC.Infrastructure.IntegrationTests.Persistence;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Npgsql;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Queue;

/// <summary>What only PostgreSQL has: claims that skip rows another node is locking, instead of waiting for them.</summary>
[TestFixture]
public sealed class PostgresClaimTests() : DatabaseTestBase(DatabaseProvider.Postgres)
{
    [Test]
    public async Task ClaimAsync_WhileAnotherTransactionLocksTheFairestRows_TakesTheNextOnesWithoutWaiting()
    {
        var job = await Database.SaveJobAsync(JobWithImages(10));
        var queue = new SqlWorkQueue(Database.Factory, new ProcessingOptions(), TimeProvider.System, TestTelemetry.Lifecycle, TestTelemetry.Instruments);

        // Another node mid-claim: the four fairest pending rows are locked, not yet leased.
        await using var other = new NpgsqlConnection(Database.ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var lockRows = new NpgsqlCommand("SELECT id FROM images ORDER BY seq, job_id LIMIT 4 FOR UPDATE", other, transaction))
        {
            await lockRows.ExecuteNonQueryAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var claimed = await queue.ClaimAsync("worker-a", 100, timeout.Token);
        await transaction.RollbackAsync();

        var images = await Database.ReadImagesAsync(job.Id);
        Assert.That(claimed.Select(c => c.ImageId), Is.EqualTo(images.Skip(4).Select(i => i.Id)));
    }
}
