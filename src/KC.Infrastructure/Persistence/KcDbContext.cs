using KC.Domain.Jobs;
using KC.Domain.Stores;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The schema and the read side. The hot paths (bulk insert on submit, claiming, recording
/// outcomes) run hand-written SQL against the same tables; see <see cref="Schema"/> for the names.
/// </summary>
public sealed class KcDbContext(DbContextOptions<KcDbContext> options) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<StoreVisit> Visits => Set<StoreVisit>();

    public DbSet<ImageTask> Images => Set<ImageTask>();

    public DbSet<Store> Stores => Set<Store>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KcDbContext).Assembly);
    }
}
