using KC.Domain.Jobs;
using KC.Domain.Stores;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The schema and the read side. The hot paths (bulk insert on submit, claiming, recording
/// outcomes) run hand-written SQL against the same tables; see <see cref="Schema"/> for the names.
/// This type carries the SQLite migrations; <see cref="PostgresKcDbContext"/> carries PostgreSQL's.
/// </summary>
public class KcDbContext : DbContext
{
    public KcDbContext(DbContextOptions<KcDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider's own context type, which its migrations are bound to.</summary>
    protected KcDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<StoreVisit> Visits => Set<StoreVisit>();

    public DbSet<ImageTask> Images => Set<ImageTask>();

    public DbSet<Store> Stores => Set<Store>();

    internal DbSet<NodeRecord> Nodes => Set<NodeRecord>();

    /// <summary>The SQL of this provider where hand-written statements differ.</summary>
    internal virtual SqlDialect Dialect => SqlDialect.For(DatabaseProvider.Sqlite);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KcDbContext).Assembly);
    }
}

/// <summary>
/// The same model on PostgreSQL. A type of its own because EF Core binds a migration set to a
/// context type: each provider gets migrations generated for its own column types.
/// </summary>
public sealed class PostgresKcDbContext(DbContextOptions<PostgresKcDbContext> options) : KcDbContext(options)
{
    internal override SqlDialect Dialect => SqlDialect.For(DatabaseProvider.Postgres);
}
