using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Application;

public static class DependencyInjection
{
    /// <summary>Registers the validators. The mediator and its pipeline are generated and registered by the host.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddValidatorsFromAssemblyContaining(typeof(DependencyInjection), ServiceLifetime.Singleton, includeInternalTypes: true);
        return services;
    }
}
