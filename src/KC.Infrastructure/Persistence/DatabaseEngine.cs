using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// A database KC runs on. Each provider lives in a folder of its own with everything it needs —
/// its context type and migrations, its statements (<see cref="SqlDialect"/>), and its extras:
/// SQLite's file and pragmas, PostgreSQL's LISTEN for new work. Adding a provider is a folder, a
/// value of <see cref="DatabaseProvider"/> and a line in <see cref="For"/>.
/// </summary>
internal abstract class DatabaseEngine
{
    public abstract DatabaseProvider Provider { get; }

    public static DatabaseEngine For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite.SqliteEngine.Instance,
        DatabaseProvider.Postgres => Postgres.PostgresEngine.Instance,
        _ => throw new ArgumentException($"Database:Provider must be Sqlite or Postgres; '{provider}' is neither."),
    };

    /// <summary>The connection string the service runs with, from <c>ConnectionStrings:KC</c> (null or empty when unset).</summary>
    public abstract string ConnectionString(string? configured);

    /// <summary>
    /// Registers the provider's pooled context factory, handed out wherever
    /// <see cref="IDbContextFactory{KcDbContext}"/> or a scoped <see cref="KcDbContext"/> is asked for.
    /// </summary>
    public abstract void AddContext(IServiceCollection services, string connectionString, DatabaseOptions options);

    /// <summary>Before the migrations run at start: SQLite creates its file.</summary>
    public virtual void PrepareForMigrations(string? connectionString)
    {
    }

    /// <summary>After the migrations at start: SQLite turns on write-ahead logging.</summary>
    public virtual Task AfterMigrationsAsync(KcDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs <paramref name="step"/> while no other node starting on this database runs its own:
    /// for the part of the start that must happen once, not once per node that starts at the same
    /// moment. PostgreSQL holds an advisory lock on <paramref name="db"/>'s connection; SQLite, whose
    /// nodes share one machine, an exclusive lock on a file beside the database.
    /// </summary>
    public abstract Task RunAloneAsync(KcDbContext db, Func<CancellationToken, Task> step, CancellationToken cancellationToken);

    /// <summary>What a node that processes work runs beside its engine on this provider: PostgreSQL's LISTEN for new work.</summary>
    public virtual void AddWorkerServices(IServiceCollection services, string connectionString)
    {
    }

    /// <summary>Every consumer asks for <see cref="KcDbContext"/>; this hands out the provider's own type for it.</summary>
    protected static void AddContext<TContext>(IServiceCollection services, Action<DbContextOptionsBuilder> configure)
        where TContext : KcDbContext
    {
        // Pooled: status polls and queue statements reuse contexts instead of building one each time.
        services.AddPooledDbContextFactory<TContext>(configure);
        services.AddSingleton<IDbContextFactory<KcDbContext>>(sp => new BaseContextFactory<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));

        // A scope's context comes from the factory, so the scope alone disposes it.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<KcDbContext>>().CreateDbContext());
    }
}
