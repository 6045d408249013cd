using KC.Application.Common.Interfaces;
using KC.Infrastructure.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Persistence;

/// <summary>The database: its provider's context, the repositories and read models, and the start-up migration.</summary>
internal static class PersistenceServices
{
    /// <summary>Registers the provider <c>Database:Provider</c> names; returns it with the connection string in use.</summary>
    public static DatabaseInUse AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName));
        var options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var engine = DatabaseEngine.For(options.Provider);
        var connectionString = engine.ConnectionString(configuration.GetConnectionString(DatabaseOptions.ConnectionStringName));
        engine.AddContext(services, connectionString, options);
        services.AddSingleton(engine);

        services.AddScoped<IJobRepository, JobRepository>();
        services.AddScoped<IJobReadModel, JobReadModel>();
        services.AddScoped<IJobListReadModel, JobListReadModel>();
        services.AddScoped<IVisitReadModel, VisitReadModel>();
        services.AddScoped<IStoreReadModel, StoreReadModel>();
        services.AddScoped<INodeReadModel, NodeReadModel>();
        services.AddScoped<IMonitoringReadModel, MonitoringReadModel>();

        // First of the hosted services: nothing may serve or claim before the schema is there.
        services.AddHostedService<DatabaseInitializer>();
        return new DatabaseInUse(engine, connectionString);
    }
}

/// <summary>The provider a node runs on and its connection string, for the capabilities that need them.</summary>
internal sealed record DatabaseInUse(DatabaseEngine Engine, string ConnectionString);
