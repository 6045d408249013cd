using KC.Domain.Jobs;
using KC.Domain.Stores;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Persistence.Postgres;
using KC.Infrastructure.Persistence.Sqlite;
using KC.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>One image row as stored, queue bookkeeping included.</summary>
internal sealed record ImageRow(
    long Id,
    long JobId,
    long VisitId,
    int Seq,
    string Url,
    ImageState State,
    int Attempts,
    int? Width,
    int? Height,
    long? Perimeter,
    string? Error,
    string? LastError,
    DateTimeOffset? SettledAt,
    string? LeaseOwner,
    long? LeaseExpiresAt,
    long NextAttemptAt);

/// <summary>
/// A real database of the test's own with the schema of the real migrations: a SQLite file in a temp
/// folder, with the service's per-connection pragmas and journal mode, or a fresh database on the
/// shared throwaway PostgreSQL server. Disposing deletes the file (and its -wal/-shm) or drops the database.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly PostgresServer? _server;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? folder, PostgresServer? server)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _folder = folder;
        _server = server;
        Options = provider == DatabaseProvider.Sqlite
            ? new DbContextOptionsBuilder<SqliteKcDbContext>()
                .UseSqlite(connectionString)
                .AddInterceptors(new SqlitePragmas(busyTimeoutMilliseconds: 30_000))
                .Options
            : new DbContextOptionsBuilder<PostgresKcDbContext>().UseNpgsql(connectionString).Options;
        Factory = new TestDbContextFactory(CreateContext);
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public DbContextOptions Options { get; }

    public IDbContextFactory<KcDbContext> Factory { get; }

    /// <summary>A fresh, migrated database; on PostgreSQL, the test is ignored with the reason when no server can be started here.</summary>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        TestDatabase database;
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kc-infrastructure-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            database = new TestDatabase(provider, $"Data Source={System.IO.Path.Combine(folder, "kc.db")}", folder, server: null);
        }
        else
        {
            if (PostgresServer.UnavailableReason is { } reason)
            {
                Assert.Ignore(reason);
            }

            var server = await PostgresServer.SharedAsync();
            database = new TestDatabase(provider, await server.CreateDatabaseAsync("it"), folder: null, server);
        }

        await using var db = database.CreateContext();
        await db.Database.MigrateAsync();
        if (provider == DatabaseProvider.Sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
        }

        return database;
    }

    public KcDbContext CreateContext() => Options is DbContextOptions<PostgresKcDbContext> postgres
        ? new PostgresKcDbContext(postgres)
        : new SqliteKcDbContext((DbContextOptions<SqliteKcDbContext>)Options);

    /// <summary>Stores jobs through the real repository, one SaveChangesAsync for all of them.</summary>
    public async Task SaveJobsAsync(params Job[] jobs)
    {
        await using var db = CreateContext();
        var repository = new JobRepository(db, TestTelemetry.Lifecycle, TestTelemetry.Instruments);
        foreach (var job in jobs)
        {
            repository.Add(job);
        }

        await repository.SaveChangesAsync(CancellationToken.None);
    }

    public async Task<Job> SaveJobAsync(Job job)
    {
        await SaveJobsAsync(job);
        return job;
    }

    public async Task SeedStoresAsync(params Store[] stores)
    {
        await using var db = CreateContext();
        db.Stores.AddRange(stores);
        await db.SaveChangesAsync();
    }

    /// <summary>The job row alone (its visits are not loaded).</summary>
    public async Task<Job> ReadJobAsync(long jobId)
    {
        await using var db = CreateContext();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
    }

    /// <summary>The visit rows of a job in insertion order (their images are not loaded).</summary>
    public async Task<IReadOnlyList<StoreVisit>> ReadVisitsAsync(long jobId)
    {
        await using var db = CreateContext();
        return await db.Visits.AsNoTracking().Where(v => v.JobId == jobId).OrderBy(v => v.Id).ToListAsync();
    }

    /// <summary>The image rows of one job, or of every job, ordered by job then position.</summary>
    public async Task<IReadOnlyList<ImageRow>> ReadImagesAsync(long? jobId = null)
    {
        await using var db = CreateContext();
        return await db.Images.AsNoTracking()
            .Where(i => jobId == null || i.JobId == jobId)
            .OrderBy(i => i.JobId)
            .ThenBy(i => i.Sequence)
            .Select(i => new ImageRow(
                i.Id,
                i.JobId,
                i.VisitId,
                i.Sequence,
                i.Url,
                i.State,
                i.Attempts,
                i.Width,
                i.Height,
                i.Perimeter,
                i.Error,
                i.LastError,
                i.SettledAt,
                EF.Property<string?>(i, "lease_owner"),
                EF.Property<long?>(i, "lease_expires_at"),
                EF.Property<long>(i, "next_attempt_at")))
            .ToListAsync();
    }

    public async Task<ImageRow> ReadImageAsync(long imageId) =>
        (await ReadImagesAsync()).Single(i => i.Id == imageId);

    /// <summary>
    /// Writes an image's attempts and last error directly, as if earlier claims had recorded them
    /// (the queue itself only adds to them when an outcome is recorded).
    /// </summary>
    public async Task SetAttemptsAsync(long imageId, int attempts, string? lastError = null)
    {
        await using var db = CreateContext();
        await db.Database.ExecuteSqlAsync($"UPDATE images SET attempts = {attempts}, last_error = {lastError} WHERE id = {imageId}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DropDatabaseAsync(ConnectionString);
            return;
        }

        // Pooled connections keep the file open; close them before deleting it.
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(_folder!, recursive: true);
    }
}

internal static class TestDatabaseExtensions
{
    /// <summary>Disposes the database if the set-up got as far as creating it (it is skipped where there is no PostgreSQL).</summary>
    public static ValueTask DisposeIfCreatedAsync(this TestDatabase? database) => database?.DisposeAsync() ?? ValueTask.CompletedTask;
}
