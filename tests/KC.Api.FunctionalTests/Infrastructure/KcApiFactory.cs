using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>
/// The real service on real Kestrel (a random loopback port) over a SQLite file of the test's own.
/// Settings are host settings, so they are in place before the service reads its configuration.
/// </summary>
public sealed class KcApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public KcApiFactory(string databasePath, IReadOnlyDictionary<string, string?>? overrides = null, string? nodeId = null)
    {
        DatabasePath = databasePath;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:KC"] = $"Data Source={databasePath}",
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

    public string DatabasePath { get; }

    /// <summary>A fresh database file under the system temp folder.</summary>
    public static string NewDatabasePath()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kc-functional-tests");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.NewGuid():N}.db");
    }

    public static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
