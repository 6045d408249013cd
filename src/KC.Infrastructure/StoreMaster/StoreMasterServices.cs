using KC.Application.Common.Interfaces;
using KC.Application.Stores.Commands.ImportStores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.StoreMaster;

/// <summary>The store master: the CSV imported at start, the upload limit, the importer and the lookup.</summary>
internal static class StoreMasterServices
{
    public static IServiceCollection AddStoreMaster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreMasterOptions>().Bind(configuration.GetSection(StoreMasterOptions.SectionName));
        services.AddOptions<StoreImportLimits>()
            .Bind(configuration.GetSection(StoreImportLimits.SectionName))
            .Validate(o => o.MaxStoreImportBytes >= 1, "Api:MaxStoreImportBytes must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StoreImportLimits>>().Value);
        services.AddScoped<IStoreMaster, StoreMasterRepository>();
        services.AddScoped<IStoreImporter, StoreMasterImporter>();
        return services;
    }
}
