using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>
/// The real service on real Kestrel (a random loopback port) over a database of the test's own.
/// Settings are host settings, so they are in place before the service reads its configuration.
/// </summary>
public sealed class KcApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="database">Not owned: services started one after another may share it, so the caller removes it.</param>
    /// <param name="services">Registrations added after the service's own, for a test that reads what the service emits.</param>
    public KcApiFactory(TestDatabase database, IReadOnlyDictionary<string, string?>? overrides = null, string? nodeId = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
        ArgumentNullException.ThrowIfNull(database);
        Database = database;
        _settings = new Dictionary<string, string?>(database.Settings, StringComparer.OrdinalIgnoreCase)
        {
            ["Node:Id"] = nodeId ?? $"test-node-{Guid.NewGuid():N}",
            ["Processing:AllowPrivateNetworks"] = "true",
            ["Processing:GpuDelayMinMs"] = "1",
            ["Processing:GpuDelayMaxMs"] = "5",
            ["Processing:MaxAttempts"] = "2",
            ["Processing:IdlePollMilliseconds"] = "50",
            ["Processing:OutcomeFlushMilliseconds"] = "10",
            ["Processing:ShutdownGraceSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
    }

    public TestDatabase Database { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }
}
