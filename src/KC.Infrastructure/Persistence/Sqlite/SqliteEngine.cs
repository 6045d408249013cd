using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>The embedded default: one file, opened without creating it once the service runs (<see cref="SqliteFile"/>).</summary>
internal sealed class SqliteEngine : DatabaseEngine
{
    public static readonly SqliteEngine Instance = new();

    private SqliteEngine()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string ConnectionString(string? configured) =>
        SqliteFile.OpenWithoutCreating(configured is { Length: > 0 } ? configured : DatabaseOptions.DefaultSqliteConnectionString);

    public override void AddContext(IServiceCollection services, string connectionString, DatabaseOptions options)
    {
        var pragmas = new SqlitePragmas(options.BusyTimeoutMilliseconds);
        // A migration that rebuilds a table turns foreign keys off around its transaction, as SQLite
        // requires; EF warns at every fresh start that the pragma runs outside the transaction.
        // The pragma holds for one connection only and leaves nothing half-done in the file, so
        // the warning is noise in the operator's log.
        AddContext<SqliteKcDbContext>(services, builder => builder
            .UseSqlite(connectionString)
            .AddInterceptors(pragmas)
            .ConfigureWarnings(warnings => warnings.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning)));
    }

    public override void PrepareForMigrations(string? connectionString) => SqliteFile.Create(connectionString);

    public override async Task RunAloneAsync(KcDbContext db, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        using var held = await SqliteFile.LockAsync(db.Database.GetConnectionString(), cancellationToken).ConfigureAwait(false);
        await step(cancellationToken).ConfigureAwait(false);
    }

    // WAL lets readers (status polls) run beside the one writer; it is a property of the file.
    public override Task AfterMigrationsAsync(KcDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
}
