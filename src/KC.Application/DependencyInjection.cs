using FluentValidation;
using KC.Application.Common.Telemetry;
using KC.Application.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the validators and KC's instruments (the host supplies the meter factory and
    /// decides where they are exported). The mediator and its pipeline are generated and registered by the host.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddValidatorsFromAssemblyContaining(typeof(DependencyInjection), ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddSingleton<IMonitoringReadings, MonitoringReadings>();
        services.AddSingleton<KcTelemetry>();
        services.AddSingleton<JobLifecycle>();
        return services;
    }
}
