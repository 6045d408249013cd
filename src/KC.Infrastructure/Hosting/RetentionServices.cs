using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Infrastructure.Hosting;

/// <summary>Removal of old finished jobs, by one worker node at a time.</summary>
internal static class RetentionServices
{
    /// <param name="sweep">False on an API-only node: its settings are still checked, but workers sweep.</param>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration, bool sweep)
    {
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.SectionName))
            .Validate(o => o.Days >= 0, "Retention:Days must not be negative (0 turns retention off)")
            .Validate(o => o.BatchSize >= 1, "Retention:BatchSize must be positive")
            .Validate(o => o.IntervalMinutes >= 1, "Retention:IntervalMinutes must be positive")
            .ValidateOnStart();
        if (sweep)
        {
            services.AddHostedService<RetentionSweeper>();
        }

        return services;
    }
}
