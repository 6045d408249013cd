using System.Data.Common;
using KC.Application.Processing;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Hosting;

/// <summary>
/// Keeps this node's row in the <c>nodes</c> table: registered at start, a heartbeat every
/// <see cref="ProcessingOptions.HeartbeatInterval"/>, marked stopped on a graceful stop. Each beat
/// also looks for nodes whose heartbeat has stopped for a whole lease period without a graceful
/// stop, and marks them lost. What makes their work safe to take over is the lease on each image,
/// which lapses on the same clock; the node rows make it visible (<c>GET /api/nodes</c>, the logs).
/// </summary>
internal sealed partial class NodeHeartbeat(
    IDbContextFactory<KcDbContext> contexts,
    NodeIdentity node,
    ProcessingOptions options,
    TimeProvider clock,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private const string RegisterSql = """
        INSERT INTO nodes (id, role, started_at, heartbeat_at, stopped_at, lost_at, images_settled)
        VALUES (@id, @role, @now, @now, NULL, NULL, 0)
        ON CONFLICT (id) DO UPDATE SET role = excluded.role, started_at = excluded.started_at,
            heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, lost_at = NULL
        """;

    private const string BeatSql = "UPDATE nodes SET heartbeat_at = @now, lost_at = NULL WHERE id = @id";

    private const string MarkLostSql = """
        UPDATE nodes SET lost_at = @now
        WHERE heartbeat_at < @stale AND stopped_at IS NULL AND lost_at IS NULL AND id <> @id
        RETURNING id, heartbeat_at
        """;

    private const string MarkStoppedSql = "UPDATE nodes SET stopped_at = @now WHERE id = @id";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the worker starts: its outcomes are counted against this row.
        await ExecuteAsync(RegisterSql, cancellationToken, ("@role", node.Role.ToString().ToLowerInvariant())).ConfigureAwait(false);
        LogRegistered(node.Id, node.Role);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(MarkStoppedSql, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: a host torn down around it cannot record the stop, and the node is then
            // reported lost one lease period later, which is what an unrecorded stop looks like.
            LogStopNotRecorded(ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ExecuteAsync(BeatSql, stoppingToken).ConfigureAwait(false);
                    await MarkLostNodesAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (DbException ex)
                {
                    LogBeatFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StopAsync marks the row.
        }
    }

    private async Task MarkLostNodesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = db.Database.GetDbConnection().CreateCommand(MarkLostSql);
        command.AddParameter("@id", node.Id);
        command.AddParameter("@now", now.ToUnixTimeMilliseconds());
        command.AddParameter("@stale", (now - options.Lease).ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            LogNodeLost(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), options.LeaseSeconds);
        }
    }

    /// <summary>Runs a statement about this node's row: <c>@id</c> and <c>@now</c> are always given.</summary>
    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        contexts.ExecuteAsync(sql, cancellationToken, [("@id", node.Id), ("@now", clock.GetUtcNow().ToUnixTimeMilliseconds()), .. parameters]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} registered with role {Role}")]
    private partial void LogRegistered(string nodeId, NodeRole role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} stopped heartbeating at {LastHeartbeat:O} without a graceful stop; its image leases lapse within {LeaseSeconds} s of that and are taken over")]
    private partial void LogNodeLost(string nodeId, DateTimeOffset lastHeartbeat, int leaseSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node's stop could not be recorded; it will be reported lost")]
    private partial void LogStopNotRecorded(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node heartbeat failed; trying again at the next beat")]
    private partial void LogBeatFailed(Exception exception);
}
