using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Infrastructure.Health;
using KC.Infrastructure.Hosting;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.Queue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.Processing;

/// <summary>The work queue and this node's engine: the queue on every node (submits announce work), the engine where work is processed.</summary>
internal static class ProcessingServices
{
    public static IServiceCollection AddProcessing(
        this IServiceCollection services,
        IConfiguration configuration,
        NodeIdentity node,
        DatabaseInUse database)
    {
        services.AddOptions<ProcessingOptions>().Bind(configuration.GetSection(ProcessingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProcessingOptions>, ProcessingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProcessingOptions>>().Value);

        services.AddSingleton<WorkSignal>();
        services.AddSingleton<IWorkSignal>(sp => sp.GetRequiredService<WorkSignal>());
        services.AddSingleton<IWorkQueue, SqlWorkQueue>();
        services.AddSingleton<JobsInFlight>();
        services.AddSingleton<IJobCancellationSignal>(sp => sp.GetRequiredService<JobsInFlight>());
        services.AddSingleton<ProcessingEngine>();
        services.AddSingleton<IProcessingSlots>(sp => sp.GetRequiredService<ProcessingEngine>());
        services.AddSingleton<IQueueReadModel, QueueReadModel>();
        if (!node.ProcessesWork)
        {
            return services;
        }

        services.AddHealthChecks().AddCheck<WorkerHealthCheck>("worker", tags: [DependencyInjection.ReadinessTag]);
        services.AddHostedService<ProcessingWorker>();
        database.Engine.AddWorkerServices(services, database.ConnectionString);
        return services;
    }
}
