using KC.Application.Common.Interfaces;
using KC.Infrastructure.Persistence;
using KC.Infrastructure.StoreMaster;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.Hosting;

/// <summary>
/// Runs before anything else starts: applies migrations, upserts the store master and makes the
/// first data-protection key, so the API never serves, and the worker never claims, against a
/// schema or master that is not ready.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IServiceScopeFactory scopes,
    DatabaseEngine engine,
    IOptions<StoreMasterOptions> storeMaster,
    IKeyManager protectionKeys,
    IOptions<KeyManagementOptions> keyManagement,
    TimeProvider clock,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KcDbContext>();
        engine.PrepareForMigrations(db.Database.GetConnectionString());

        // Nodes started together on one database take turns. EF Core's own migration lock did not
        // keep them apart on PostgreSQL: of three nodes started at once on a fresh database, some
        // failed applying a migration another had applied. Alone, a node finds the schema, the
        // master and the key as the one before it left them.
        await engine.RunAloneAsync(db, async alone =>
        {
            await db.Database.MigrateAsync(alone).ConfigureAwait(false);
            await engine.AfterMigrationsAsync(db, alone).ConfigureAwait(false);
            await ImportStoreMasterAsync(scope.ServiceProvider, alone).ConfigureAwait(false);
            MakeFirstProtectionKey();
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Makes the key that dashboard sessions and form tokens are signed with, when no key is in
    /// use yet. Left to data protection, the nodes that started at the same moment on a fresh
    /// database each made a key of its own and signed with it; past its first two minutes, a node
    /// then refused the others' sessions until it next read the key ring, a day later. One node at
    /// a time, the first makes the key and the others find it.
    /// </summary>
    private void MakeFirstProtectionKey()
    {
        var now = clock.GetUtcNow();
        if (!protectionKeys.GetAllKeys().Any(key => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now))
        {
            protectionKeys.CreateNewKey(now, now + keyManagement.Value.NewKeyLifetime);
        }
    }

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
