using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;
using KC.Infrastructure.Persistence;
using static KC.Infrastructure.IntegrationTests.Persistence.TestData;
using KC.TestSupport;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>Idempotency keys in <c>JobRepository</c>: stored in the job's transaction, unique, purged once expired.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class IdempotencyKeyRepositoryTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    [Test]
    public async Task SaveChangesAsync_WhenTheJobCarriesAKey_StoresTheKeyNamingTheJob()
    {
        var job = JobWithImages(2);

        await SaveAsync(job, Key("k1", "hash-1"));

        Assert.That(await FindAsync("k1", Now), Is.EqualTo(new IdempotencyKeyRecord("k1", "hash-1", job.Id)));
    }

    [Test]
    public async Task SaveChangesAsync_WhenTheKeyIsStoredAlready_ThrowsTakenAndStoresNothingOfTheJob()
    {
        var first = JobWithImages(1);
        await SaveAsync(first, Key("k1", "hash-1"));
        var second = NewJob([Visit("S2", 3)]);

        Func<Task> act = () => SaveAsync(second, Key("k1", "hash-2"));

        Assert.That(act, Throws.TypeOf<IdempotencyKeyTakenException>());
        Assert.That(await CountAsync("SELECT COUNT(*) AS \"Value\" FROM jobs"), Is.EqualTo(1));
        Assert.That((await Database.ReadImagesAsync()).Select(i => i.JobId), Is.All.EqualTo(first.Id));
        Assert.That(await FindAsync("k1", Now), Is.EqualTo(new IdempotencyKeyRecord("k1", "hash-1", first.Id)));
    }

    [Test]
    public async Task SaveChangesAsync_WhenTheSameKeyHasExpired_ReplacesIt()
    {
        var first = JobWithImages(1);
        await SaveAsync(first, Key("k1", "hash-1", createdAt: Now, lifetime: TimeSpan.FromHours(1)));
        var second = JobWithImages(1);
        var later = Now.AddHours(2);

        await SaveAsync(second, Key("k1", "hash-2", createdAt: later));

        Assert.That(await FindAsync("k1", later), Is.EqualTo(new IdempotencyKeyRecord("k1", "hash-2", second.Id)));
    }

    [Test]
    public async Task SaveChangesAsync_WhenOtherKeysHaveExpired_PurgesThem()
    {
        await SaveAsync(JobWithImages(1), Key("old-1", "h", createdAt: Now, lifetime: TimeSpan.FromHours(1)));
        await SaveAsync(JobWithImages(1), Key("old-2", "h", createdAt: Now, lifetime: TimeSpan.FromHours(1)));
        await SaveAsync(JobWithImages(1), Key("live", "h", createdAt: Now, lifetime: TimeSpan.FromHours(24)));

        await SaveAsync(JobWithImages(1), Key("new", "h", createdAt: Now.AddHours(2)));

        Assert.That(await KeysAsync(), Is.EquivalentTo(new[] { "live", "new" }));
    }

    [Test]
    public async Task SaveChangesAsync_WhenTheSameKeyIsStoredInAnotherScope_StoresAKeyOfItsOwn()
    {
        var first = JobWithImages(1);
        var second = JobWithImages(1);
        await SaveAsync(first, Key("k1", "hash-1", scope: ClientA));

        await SaveAsync(second, Key("k1", "hash-2", scope: ClientB));

        Assert.That(await FindAsync("k1", Now, ClientA), Is.EqualTo(new IdempotencyKeyRecord("k1", "hash-1", first.Id)));
        Assert.That(await FindAsync("k1", Now, ClientB), Is.EqualTo(new IdempotencyKeyRecord("k1", "hash-2", second.Id)));
        Assert.That(await FindAsync("k1", Now), Is.Null, "nor is either the shared scope's");
    }

    [Test]
    public async Task SaveChangesAsync_WhenTheKeyIsStoredAlreadyInTheSameScope_ThrowsTaken()
    {
        await SaveAsync(JobWithImages(1), Key("k1", "hash-1", scope: ClientA));

        Func<Task> act = () => SaveAsync(JobWithImages(1), Key("k1", "hash-2", scope: ClientA));

        Assert.That(act, Throws.TypeOf<IdempotencyKeyTakenException>());
    }

    [Test]
    public async Task SaveChangesAsync_WhenKeysOfAnyScopeHaveExpired_PurgesThemAndKeepsLiveOnes()
    {
        await SaveAsync(JobWithImages(1), Key("old", "h", createdAt: Now, lifetime: TimeSpan.FromHours(1), scope: ClientA));
        await SaveAsync(JobWithImages(1), Key("old", "h", createdAt: Now, lifetime: TimeSpan.FromHours(1), scope: ClientB));
        await SaveAsync(JobWithImages(1), Key("old", "h", createdAt: Now, lifetime: TimeSpan.FromHours(24)));

        await SaveAsync(JobWithImages(1), Key("old", "h2", createdAt: Now.AddHours(2), scope: ClientA));

        Assert.That(await ScopedKeysAsync(), Is.EquivalentTo(new[] { (ClientA, "old"), (IdempotencyScope.Shared, "old") }));
        Assert.That((await FindAsync("old", Now.AddHours(2), ClientA))!.RequestHash, Is.EqualTo("h2"));
    }

    [Test]
    public async Task FindIdempotencyKeyAsync_WhenTheKeyHasExpired_ReturnsNull()
    {
        await SaveAsync(JobWithImages(1), Key("k1", "hash-1", createdAt: Now, lifetime: TimeSpan.FromHours(1)));

        var found = await FindAsync("k1", Now.AddHours(1));

        Assert.That(found, Is.Null);
    }

    // Fingerprints of two clients' API keys, as the API computes them.
    private const string ClientA = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    private const string ClientB = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

    private static NewIdempotencyKey Key(string key, string hash, DateTimeOffset? createdAt = null, TimeSpan? lifetime = null, string scope = IdempotencyScope.Shared) =>
        new(scope, key, hash, createdAt ?? Now, (createdAt ?? Now) + (lifetime ?? TimeSpan.FromHours(24)));

    private async Task SaveAsync(Job job, NewIdempotencyKey key)
    {
        await using var db = Database.CreateContext();
        var repository = new KC.Infrastructure.Persistence.JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        repository.Add(job, key);
        await repository.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<IdempotencyKeyRecord?> FindAsync(string key, DateTimeOffset now, string scope = IdempotencyScope.Shared)
    {
        await using var db = Database.CreateContext();
        return await new KC.Infrastructure.Persistence.JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments).FindIdempotencyKeyAsync(scope, key, now, CancellationToken.None);
    }

    private async Task<IReadOnlyList<(string Scope, string Key)>> ScopedKeysAsync()
    {
        await using var db = Database.CreateContext();
        var rows = await db.Set<IdempotencyKey>().AsNoTracking().Select(k => new { k.Scope, k.Key }).ToListAsync();
        return [.. rows.Select(r => (r.Scope, r.Key))];
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var db = Database.CreateContext();
        return await db.Database.SqlQueryRaw<long>(sql).SingleAsync();
    }

    private async Task<IReadOnlyList<string>> KeysAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Database.SqlQueryRaw<string>("SELECT idempotency_key AS \"Value\" FROM idempotency_keys").ToListAsync();
    }
}
