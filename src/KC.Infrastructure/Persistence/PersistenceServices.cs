using KC.Application.Common.Interfaces;
using KC.Infrastructure.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Persistence;

/// <summary>The database: its provider's context, the repositories and read models, and the start-up migration.</summary>
internal static class PersistenceServices
{
    /// <summary>Registers the provider <c>Database:Provider</c> names and returns it with the connection string in use.</summary>
    public static (DatabaseProvider Provider, string ConnectionString) AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName));
        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        string connectionString;
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                // Pooled: status polls and queue statements reuse contexts instead of building one each time.
                connectionString = SqliteFile.OpenWithoutCreating(configured is { Length: > 0 } ? configured : DatabaseOptions.DefaultSqliteConnectionString);
                var pragmas = new SqlitePragmas(database.BusyTimeoutMilliseconds);
                services.AddPooledDbContextFactory<KcDbContext>(options => options
                    .UseSqlite(connectionString)
                    .AddInterceptors(pragmas));
                break;

            case DatabaseProvider.Postgres:
                connectionString = configured is { Length: > 0 } ? configured : throw new ArgumentException(
                    "ConnectionStrings:KC must be set when Database:Provider is Postgres, e.g. Host=db;Database=kc;Username=kc;Password=…");

                // Every consumer asks for KcDbContext; on PostgreSQL it is the type its migrations
                // belong to. A scope's context comes from the factory, so the scope alone disposes it.
                services.AddPooledDbContextFactory<PostgresKcDbContext>(options => options.UseNpgsql(connectionString));
                services.AddSingleton<IDbContextFactory<KcDbContext>>(sp =>
                    new BaseContextFactory<PostgresKcDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresKcDbContext>>()));
                services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<KcDbContext>>().CreateDbContext());
                break;

            default:
                throw new ArgumentException($"Database:Provider must be Sqlite or Postgres; '{database.Provider}' is neither.");
        }

        services.AddScoped<IJobRepository, JobRepository>();
        services.AddScoped<IJobReadModel, JobReadModel>();
        services.AddScoped<IJobListReadModel, JobListReadModel>();
        services.AddScoped<IVisitReadModel, VisitReadModel>();
        services.AddScoped<IStoreReadModel, StoreReadModel>();
        services.AddScoped<INodeReadModel, NodeReadModel>();

        // First of the hosted services: nothing may serve or claim before the schema is there.
        services.AddHostedService<DatabaseInitializer>();
        return (database.Provider, connectionString);
    }
}
