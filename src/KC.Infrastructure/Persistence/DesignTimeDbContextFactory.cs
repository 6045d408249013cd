using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KC.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<KcDbContext>
{
    public KcDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<KcDbContext>().UseSqlite(DatabaseOptions.DefaultSqliteConnectionString).Options);
}
