using KC.Application.Processing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Persistence.Postgres;

/// <summary>The shared database of several nodes: SKIP LOCKED claims, and NOTIFY/LISTEN to wake idle workers.</summary>
internal sealed class PostgresEngine : DatabaseEngine
{
    public static readonly PostgresEngine Instance = new();

    /// <summary>The advisory lock of <see cref="RunAloneAsync"/>: any number, the same on every node ("KCSTART").</summary>
    private const long StartLock = 0x4B43_5354_4152_54;

    private PostgresEngine()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string ConnectionString(string? configured) => configured is { Length: > 0 }
        ? configured
        : throw new ArgumentException("ConnectionStrings:KC must be set when Database:Provider is Postgres, e.g. Host=db;Database=kc;Username=kc;Password=…");

    public override void AddContext(IServiceCollection services, string connectionString, DatabaseOptions options) =>
        AddContext<PostgresKcDbContext>(services, builder => builder.UseNpgsql(connectionString));

    public override async Task RunAloneAsync(KcDbContext db, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Session-level: held by this connection until unlocked, whatever transactions run meanwhile.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({StartLock})", cancellationToken).ConfigureAwait(false);
            try
            {
                await step(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({StartLock})", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    public override void AddWorkerServices(IServiceCollection services, string connectionString) =>
        services.AddHostedService(sp => new PostgresWorkListener(
            connectionString, sp.GetRequiredService<WorkSignal>(), sp.GetRequiredService<ILogger<PostgresWorkListener>>()));
}
