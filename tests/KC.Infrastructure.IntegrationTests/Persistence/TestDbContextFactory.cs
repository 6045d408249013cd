using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.IntegrationTests.Persistence;

/// <summary>Hands out a fresh <see cref="KcDbContext"/> over the test's database, as the service's factory does.</summary>
internal sealed class TestDbContextFactory(Func<KcDbContext> create) : IDbContextFactory<KcDbContext>
{
    public KcDbContext CreateDbContext() => create();
}
