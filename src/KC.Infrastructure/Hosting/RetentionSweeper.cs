using System.Data.Common;
using KC.Application.Common.Interfaces;
using KC.Application.Processing;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KC.Infrastructure.Hosting;

/// <summary>What one sweep removed; <see cref="Skipped"/> when another node held the sweep.</summary>
internal sealed record RetentionSweep(bool Skipped, int Jobs, long Images);

/// <summary>
/// Removes finished jobs older than <c>Retention:Days</c>, so the tables do not grow without end.
/// One node at a time: the sweep is a lease in <c>maintenance_leases</c>, taken, renewed and
/// handed back like an image lease. A job goes image batch by image batch, then the job row, whose
/// cascade takes its visits, idempotency key and callback rows; no statement holds locks for long.
/// A job whose completion callback is still being delivered is kept until the delivery ends.
/// </summary>
internal sealed partial class RetentionSweeper(
    IDbContextFactory<KcDbContext> contexts,
    IOptions<RetentionOptions> retention,
    NodeIdentity node,
    TimeProvider clock,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    private const string LeaseName = "retention";
    private const int JobsPerPick = 100;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private static readonly string EnsureLeaseSql = $"""
        INSERT INTO maintenance_leases (name, owner, expires_at) VALUES ('{LeaseName}', NULL, 0)
        ON CONFLICT (name) DO NOTHING
        """;

    private static readonly string TakeLeaseSql = $"""
        UPDATE maintenance_leases SET owner = @owner, expires_at = @expires
        WHERE name = '{LeaseName}' AND (owner IS NULL OR owner = @owner OR expires_at < @now)
        """;

    private static readonly string ReturnLeaseSql = $"""
        UPDATE maintenance_leases SET owner = NULL, expires_at = 0
        WHERE name = '{LeaseName}' AND owner = @owner
        """;

    // Final as the settlement owns it; a settled job's callback is pending until it is delivered or given up.
    private static readonly string PickExpiredSql = $"""
        SELECT j.id FROM jobs AS j
        WHERE j.status IN ({JobSettlement.FinalStatuses}) AND j.completed_at < @cutoff
          AND NOT EXISTS (SELECT 1 FROM callback_deliveries AS d WHERE d.job_id = j.id AND d.state = {(int)CallbackStatus.Pending})
        ORDER BY j.id
        LIMIT {JobsPerPick}
        """;

    private const string DeleteImagesSql = "DELETE FROM images WHERE id IN (SELECT id FROM images WHERE job_id = @job LIMIT @batch)";

    private static readonly string DeleteJobSql = $"DELETE FROM jobs WHERE id = @job AND status IN ({JobSettlement.FinalStatuses})";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = retention.Value;
        if (!options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.IntervalMinutes), clock);
        try
        {
            do
            {
                try
                {
                    var sweep = await SweepAsync(stoppingToken).ConfigureAwait(false);
                    if (sweep.Jobs > 0)
                    {
                        LogSwept(sweep.Jobs, sweep.Images, options.Days);
                    }
                }
                catch (DbException ex)
                {
                    LogSweepFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping between sweeps, or mid-sweep: a half-swept job is finished by the next sweep.
        }
    }

    /// <summary>One sweep: every expired job, unless another node is sweeping.</summary>
    public async Task<RetentionSweep> SweepAsync(CancellationToken cancellationToken)
    {
        var options = retention.Value;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await connection.ExecuteAsync(EnsureLeaseSql, cancellationToken).ConfigureAwait(false);
        if (!await TakeLeaseAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            return new RetentionSweep(Skipped: true, 0, 0);
        }

        int jobs = 0;
        long images = 0;
        try
        {
            var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Days);
            while (await PickExpiredAsync(connection, db.Dialect.TimeParameter(cutoff), cancellationToken).ConfigureAwait(false) is { Count: > 0 } expired)
            {
                foreach (var job in expired)
                {
                    int deleted;
                    do
                    {
                        deleted = await connection.ExecuteAsync(DeleteImagesSql, cancellationToken, ("@job", job), ("@batch", options.BatchSize)).ConfigureAwait(false);
                        images += deleted;
                    }
                    while (deleted > 0);

                    jobs += await connection.ExecuteAsync(DeleteJobSql, cancellationToken, ("@job", job)).ConfigureAwait(false);

                    // Renewed as it goes; a sweep that lost its lease stops where it is.
                    if (!await TakeLeaseAsync(connection, cancellationToken).ConfigureAwait(false))
                    {
                        return new RetentionSweep(Skipped: false, jobs, images);
                    }
                }
            }
        }
        finally
        {
            await connection.ExecuteAsync(ReturnLeaseSql, CancellationToken.None, ("@owner", node.Id)).ConfigureAwait(false);
        }

        return new RetentionSweep(Skipped: false, jobs, images);
    }

    private async Task<bool> TakeLeaseAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await connection.ExecuteAsync(
            TakeLeaseSql,
            cancellationToken,
            ("@owner", node.Id),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@expires", (now + Lease).ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;
    }

    private static async Task<List<long>> PickExpiredAsync(DbConnection connection, object cutoff, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(PickExpiredSql);
        command.AddParameter("@cutoff", cutoff);
        var ids = new List<long>(JobsPerPick);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Jobs} jobs and {Images} images finished more than {Days} days ago")]
    private partial void LogSwept(int jobs, long images, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep failed; it runs again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
