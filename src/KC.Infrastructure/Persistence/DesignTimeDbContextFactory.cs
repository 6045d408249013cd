using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KC.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<KcDbContext>
{
    public KcDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<KcDbContext>().UseSqlite(DatabaseOptions.DefaultSqliteConnectionString).Options);
}

/// <summary>
/// Lets <c>dotnet ef migrations add … --context PostgresKcDbContext</c> build the PostgreSQL model;
/// generating a migration never connects, so the connection string is only a placeholder.
/// </summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresKcDbContext>
{
    public PostgresKcDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresKcDbContext>().UseNpgsql("Host=localhost;Database=kc").Options);
}
