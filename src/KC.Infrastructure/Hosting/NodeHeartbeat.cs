using System.Data.Common;
using System.Globalization;
using KC.Application.Processing;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Hosting;

/// <summary>
/// Keeps this node's row in the <c>nodes</c> table: registered at start (<see cref="NodeRegistration"/>),
/// a heartbeat every <see cref="ProcessingOptions.HeartbeatInterval"/>, marked stopped on a graceful
/// stop. Every write is fenced by this process's run: once another run has taken the id over, this
/// one changes nothing of the row, logs it as critical and stops the service, so a process paused
/// and then resumed never goes on working under an id that is no longer its own. Each beat also
/// looks for nodes whose heartbeat has stopped for a whole lease period without a graceful stop,
/// and marks them lost. What makes their work safe to take over is the lease on each image, which
/// lapses on the same clock; the node rows make it visible (<c>GET /api/nodes</c>, the logs).
/// </summary>
internal sealed partial class NodeHeartbeat(
    IDbContextFactory<KcDbContext> contexts,
    NodeRegistration registration,
    NodeIdentity node,
    ProcessingOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private const string BeatSql = "UPDATE nodes SET heartbeat_at = @now, lost_at = NULL WHERE id = @id AND run_id = @run";

    private const string ReadHolderSql = "SELECT run_id, host_name, process_id, started_at FROM nodes WHERE id = @id";

    private const string MarkLostSql = """
        UPDATE nodes SET lost_at = @now
        WHERE heartbeat_at < @stale AND stopped_at IS NULL AND lost_at IS NULL AND id <> @id
        RETURNING id, heartbeat_at
        """;

    private const string MarkStoppedSql = "UPDATE nodes SET stopped_at = @now WHERE id = @id AND run_id = @run";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the worker starts: it claims under this run, and its outcomes are counted against this row.
        await registration.RegisterAsync(cancellationToken).ConfigureAwait(false);
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
                    if (await ExecuteAsync(BeatSql, stoppingToken).ConfigureAwait(false) == 0)
                    {
                        await StopSupersededAsync(stoppingToken).ConfigureAwait(false);
                        return;
                    }

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

    /// <summary>
    /// The row no longer names this run: another process took the id over, having found this one
    /// dead (silent for a lease period, or marked lost). Its leases were released then; whatever
    /// this process still does under the id is not its own any more, so the service stops.
    /// </summary>
    private async Task StopSupersededAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = db.Database.GetDbConnection().CreateCommand(ReadHolderSql);
            command.AddParameter("@id", node.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var holderRun = reader.IsDBNull(0) ? "?" : reader.GetString(0);
                var holderHost = reader.IsDBNull(1) ? "?" : reader.GetString(1);
                var holderProcess = reader.IsDBNull(2) ? "?" : Convert.ToString(reader.GetValue(2), CultureInfo.InvariantCulture)!;
                var holderStarted = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3));
                LogSuperseded(node.Id, node.RunId, holderRun, holderHost, holderProcess, holderStarted);
            }
            else
            {
                LogRowGone(node.Id, node.RunId);
            }
        }

        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    /// <summary>Runs a statement about this run's row: <c>@id</c>, <c>@run</c> and <c>@now</c> are always given.</summary>
    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        contexts.ExecuteAsync(sql, cancellationToken, ("@id", node.Id), ("@run", node.RunId), ("@now", clock.GetUtcNow().ToUnixTimeMilliseconds()));

    [LoggerMessage(Level = LogLevel.Critical, Message = "Node:Id {NodeId} has been taken over: this run ({RunId}) was found dead, and run {HolderRunId} on host {HolderHost} (process {HolderProcessId}) holds the id since {HolderStartedAt:O}. This process stops, so that two processes never work under one id")]
    private partial void LogSuperseded(string nodeId, string runId, string holderRunId, string holderHost, string holderProcessId, DateTimeOffset holderStartedAt);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The row of node {NodeId} is gone from the nodes table: this run ({RunId}) no longer holds the id, and the process stops")]
    private partial void LogRowGone(string nodeId, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} stopped heartbeating at {LastHeartbeat:O} without a graceful stop; its image leases lapse within {LeaseSeconds} s of that and are taken over")]
    private partial void LogNodeLost(string nodeId, DateTimeOffset lastHeartbeat, int leaseSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node's stop could not be recorded; it will be reported lost")]
    private partial void LogStopNotRecorded(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node heartbeat failed; trying again at the next beat")]
    private partial void LogBeatFailed(Exception exception);
}
