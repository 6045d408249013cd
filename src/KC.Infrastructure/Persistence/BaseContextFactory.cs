using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>Hands out a provider's own context type wherever <see cref="KcDbContext"/> is asked for.</summary>
internal sealed class BaseContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<KcDbContext>
    where TContext : KcDbContext
{
    public KcDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<KcDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
}
