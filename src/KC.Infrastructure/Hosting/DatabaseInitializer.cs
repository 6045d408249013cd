using KC.Application.Common.Interfaces;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.StoreMaster;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.Hosting;

/// <summary>
/// Runs before anything else starts: applies migrations and upserts the store master, so the API
/// never serves, and the worker never claims, against a schema or master that is not ready.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IServiceScopeFactory scopes,
    DatabaseEngine engine,
    IOptions<StoreMasterOptions> storeMaster,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KcDbContext>();
        engine.PrepareForMigrations(db.Database.GetConnectionString());
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await engine.AfterMigrationsAsync(db, cancellationToken).ConfigureAwait(false);

        await ImportStoreMasterAsync(scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ImportStoreMasterAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var path = storeMaster.Value.ResolvedCsvPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The store master CSV (StoreMaster:CsvPath) was not found at '{path}'.", path);
        }

        var importer = services.GetRequiredService<IStoreImporter>();
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var summary = await importer.ImportAsync(file, cancellationToken).ConfigureAwait(false);
            LogImported(path, summary.Inserted, summary.Updated, summary.Unchanged, summary.RejectedTotal);
            foreach (var rejected in summary.Rejected)
            {
                LogRejected(path, rejected.Line, rejected.Reason);
            }

            if (summary.RejectedTotal > summary.Rejected.Count)
            {
                LogMoreRejected(path, summary.RejectedTotal - summary.Rejected.Count, summary.Rejected.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Store master {Path}: {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected")]
    private partial void LogImported(string path, int inserted, int updated, int unchanged, int rejected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store master {Path} line {Line} rejected: {Reason}")]
    private partial void LogRejected(string path, int line, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store master {Path}: {More} more rejected rows are not listed; only the first {Listed} are")]
    private partial void LogMoreRejected(string path, int more, int listed);
}
