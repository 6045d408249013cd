using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KC.Infrastructure.Persistence.Postgres;

/// <summary>The model on PostgreSQL; its migrations are in <c>Postgres/Migrations</c>.</summary>
public sealed class PostgresKcDbContext(DbContextOptions<PostgresKcDbContext> options) : KcDbContext(options)
{
    internal override SqlDialect Dialect => PostgresDialect.Instance;
}

/// <summary>
/// Lets <c>dotnet ef migrations add … --context PostgresKcDbContext</c> build the model; generating
/// a migration never connects, so the connection string is only a placeholder.
/// </summary>
internal sealed class PostgresDesignTimeContextFactory : IDesignTimeDbContextFactory<PostgresKcDbContext>
{
    public PostgresKcDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKcDbContext>().UseNpgsql("Host=localhost;Database=kc").Options);
}
