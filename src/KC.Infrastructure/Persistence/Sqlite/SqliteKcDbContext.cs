using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>The model on SQLite; its migrations are in <c>Sqlite/Migrations</c>.</summary>
public sealed class SqliteKcDbContext(DbContextOptions<SqliteKcDbContext> options) : KcDbContext(options)
{
    internal override SqlDialect Dialect => SqliteDialect.Instance;
}

/// <summary>Lets <c>dotnet ef migrations add … --context SqliteKcDbContext</c> build the model without starting the service.</summary>
internal sealed class SqliteDesignTimeContextFactory : IDesignTimeDbContextFactory<SqliteKcDbContext>
{
    public SqliteKcDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteKcDbContext>().UseSqlite(DatabaseOptions.DefaultSqliteConnectionString).Options);
}
