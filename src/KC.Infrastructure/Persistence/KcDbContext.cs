using KC.Domain.Jobs;
using KC.Domain.Stores;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The schema and the read side. The hot paths (bulk insert on submit, claiming, recording
/// outcomes) run hand-written SQL against the same tables. Every consumer asks for this type; each
/// database provider has a context type of its own (<c>Sqlite/</c>, <c>Postgres/</c>), because EF
/// Core binds a migration set to a context type and each provider's migrations are generated for
/// its own column types.
/// </summary>
public abstract class KcDbContext : DbContext, IDataProtectionKeyContext
{
    protected KcDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<StoreVisit> Visits => Set<StoreVisit>();

    public DbSet<ImageTask> Images => Set<ImageTask>();

    public DbSet<Store> Stores => Set<Store>();

    internal DbSet<NodeRecord> Nodes => Set<NodeRecord>();

    /// <summary>The keys that protect dashboard sessions and form tokens, shared by every node (<c>PersistenceServices.AddSharedDataProtectionKeys</c>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The statements of this provider where hand-written SQL differs.</summary>
    internal abstract SqlDialect Dialect { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KcDbContext).Assembly);
    }
}
