using KC.Application.Common.Interfaces;
using KC.Infrastructure.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Persistence;

/// <summary>The database: its provider's context, the repositories and read models, and the start-up migration.</summary>
internal static class PersistenceServices
{
    /// <summary>The name every node protects its dashboard sessions and form tokens under.</summary>
    private const string DataProtectionApplicationName = "KC";

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

        // After it: data protection reads its keys from the database when it starts.
        services.AddSharedDataProtectionKeys();
        return new DatabaseInUse(engine, connectionString);
    }

    /// <summary>
    /// Keeps ASP.NET Core's data-protection keys (dashboard sessions, antiforgery tokens) in the
    /// database, under one application name: every node behind a load balancer reads a session
    /// another signed, and a restart, or a container without a kept home folder, signs nobody out.
    /// The keys are stored as ASP.NET Core writes them, not encrypted: whoever reads the database
    /// could forge a session, and could as well change the jobs themselves. The key manager warns
    /// so at every key it makes; it logs its errors only (README, "Dashboard").
    /// </summary>
    private static void AddSharedDataProtectionKeys(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(DataProtectionApplicationName)
            .PersistKeysToDbContext<KcDbContext>();
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error));
    }
}

/// <summary>The provider a node runs on and its connection string, for the capabilities that need them.</summary>
internal sealed record DatabaseInUse(DatabaseEngine Engine, string ConnectionString);
