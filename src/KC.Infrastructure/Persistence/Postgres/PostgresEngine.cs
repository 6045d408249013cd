using KC.Application.Processing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Persistence.Postgres;

/// <summary>The shared database of several nodes: SKIP LOCKED claims, and NOTIFY/LISTEN to wake idle workers.</summary>
internal sealed class PostgresEngine : DatabaseEngine
{
    public static readonly PostgresEngine Instance = new();

    private PostgresEngine()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string ConnectionString(string? configured) => configured is { Length: > 0 }
        ? configured
        : throw new ArgumentException("ConnectionStrings:KC must be set when Database:Provider is Postgres, e.g. Host=db;Database=kc;Username=kc;Password=…");

    public override void AddContext(IServiceCollection services, string connectionString, DatabaseOptions options) =>
        AddContext<PostgresKcDbContext>(services, builder => builder.UseNpgsql(connectionString));

    public override void AddWorkerServices(IServiceCollection services, string connectionString) =>
        services.AddHostedService(sp => new PostgresWorkListener(
            connectionString, sp.GetRequiredService<WorkSignal>(), sp.GetRequiredService<ILogger<PostgresWorkListener>>()));
}
