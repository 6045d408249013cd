using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using KC.Application.Processing;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace KC.Infrastructure.Hosting;

/// <summary>
/// Puts this process's run in its node's row of <c>nodes</c> at start. The row names one run at a
/// time: a run whose earlier holder is alive is refused (<see cref="NodeIdInUseException"/>); one
/// whose earlier holder is dead takes the row over in one statement and at once releases the
/// leases that run died holding. Other rows of this host whose process is gone are marked lost
/// and their leases released too, so a restart never waits for its own dead leases to lapse.
/// </summary>
internal sealed partial class NodeRegistration(
    IDbContextFactory<KcDbContext> contexts,
    NodeIdentity node,
    ProcessingOptions options,
    IWorkQueue queue,
    TimeProvider clock,
    ILogger<NodeRegistration> logger)
{
    // Each attempt either registers, is refused, or saw the row change between its read and its
    // write; only a run of concurrent takeovers can use them all up.
    private const int MaxAttempts = 5;

    private const string ReadSql = """
        SELECT run_id, host_name, process_id, started_at, heartbeat_at, stopped_at, lost_at
        FROM nodes WHERE id = @id
        """;

    // One statement, so two processes registering one id at once cannot both win: the row is
    // inserted, or taken over from exactly the run the caller read and judged dead (@previous, ''
    // for a row of an earlier version, NULL when there was no row), and only while that run still
    // looks dead to the database (stopped, lost, silent for a lease period) or to this host
    // (@process_gone). Anything else returns no row.
    private const string RegisterSql = """
        INSERT INTO nodes (id, run_id, host_name, process_id, role, started_at, heartbeat_at, stopped_at, lost_at, images_settled)
        VALUES (@id, @run, @host, @pid, @role, @now, @now, NULL, NULL, 0)
        ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, host_name = excluded.host_name,
            process_id = excluded.process_id, role = excluded.role, started_at = excluded.started_at,
            heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, lost_at = NULL
        WHERE COALESCE(nodes.run_id, '') = @previous
            AND (nodes.stopped_at IS NOT NULL OR nodes.lost_at IS NOT NULL OR nodes.heartbeat_at < @stale OR @process_gone = 1)
        RETURNING id
        """;

    private const string ReadHostSql = """
        SELECT id, run_id, process_id FROM nodes
        WHERE host_name = @host AND id <> @id AND run_id IS NOT NULL AND process_id IS NOT NULL
            AND stopped_at IS NULL AND lost_at IS NULL
        """;

    private const string MarkLostSql = """
        UPDATE nodes SET lost_at = @now
        WHERE id = @id AND run_id = @run AND stopped_at IS NULL AND lost_at IS NULL
        """;

    /// <summary>
    /// The runs this process has registered: a row naming this process's id on this host is one of
    /// them (another node hosted in the same process, as tests do) or an earlier process that had
    /// the same id, as a container restarted as process 1 has.
    /// </summary>
    private static readonly ConcurrentDictionary<string, bool> RunsOfThisProcess = new(StringComparer.Ordinal);

    private string HostName => node.HostName.Length <= ColumnLimits.HostName ? node.HostName : node.HostName[..ColumnLimits.HostName];

    /// <summary>Registers this run, or throws <see cref="NodeIdInUseException"/> when a live node holds the id.</summary>
    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        RunsOfThisProcess[node.RunId] = true;
        NodeRow? held = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var now = clock.GetUtcNow();
            held = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var death = held is null ? null : DeathOf(held, now);
            if (held is not null && death is null)
            {
                throw Refusal(held, now);
            }

            if (await TryRegisterAsync(held, death == Death.ProcessGone, now, cancellationToken).ConfigureAwait(false))
            {
                LogRegistered(node.Id, node.IdIsDefault ? "unset: the host name and a suffix of this process's own" : "configured", node.Role, node.RunId, HostName, node.ProcessId);
                if (held is not null)
                {
                    await ReleaseEarlierRunAsync(held, death!.Value, cancellationToken).ConfigureAwait(false);
                }

                await SweepHostAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        throw Refusal(held ?? await ReadAsync(cancellationToken).ConfigureAwait(false), clock.GetUtcNow());
    }

    /// <summary>Why an earlier run of an id is known to be dead; null while it may be alive.</summary>
    private Death? DeathOf(NodeRow row, DateTimeOffset now) =>
        row.StoppedAt is not null ? Death.Stopped
        : row.LostAt is not null ? Death.Lost
        : row.HeartbeatAt < (now - options.Lease).ToUnixTimeMilliseconds() ? Death.Silent
        : ProcessGone(row) ? Death.ProcessGone
        : null;

    /// <summary>
    /// True when <paramref name="row"/>'s run is a process of this host that no longer runs. Process
    /// ids are only compared on the host that issued them; one that is this very process's is an
    /// earlier process that had it, unless this process registered that run itself.
    /// </summary>
    private bool ProcessGone(NodeRow row) =>
        row is { HostName: { } host, ProcessId: { } pid }
        && string.Equals(host, HostName, StringComparison.Ordinal)
        && (pid == node.ProcessId ? row.RunId is null || !RunsOfThisProcess.ContainsKey(row.RunId) : !ProcessTable.IsRunning(pid));

    private async Task<bool> TryRegisterAsync(NodeRow? held, bool processGone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = db.Database.GetDbConnection().CreateCommand(RegisterSql);
        command.AddParameter("@id", node.Id);
        command.AddParameter("@run", node.RunId);
        command.AddParameter("@host", HostName);
        command.AddParameter("@pid", node.ProcessId);
        command.AddParameter("@role", node.Role.ToString().ToLowerInvariant());
        command.AddParameter("@now", now.ToUnixTimeMilliseconds());
        command.AddParameter("@stale", (now - options.Lease).ToUnixTimeMilliseconds());
        command.AddParameter("@previous", held is null ? null : held.RunId ?? string.Empty);
        command.AddParameter("@process_gone", processGone ? 1 : 0);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not (null or DBNull);
    }

    private async Task ReleaseEarlierRunAsync(NodeRow earlier, Death death, CancellationToken cancellationToken)
    {
        // An earlier version held its leases under the bare id.
        var owner = earlier.RunId is null ? node.Id : NodeIdentity.LeaseOwnerOf(node.Id, earlier.RunId);
        var released = await queue.ReleaseLeasesAsync(owner, LeaseRelease.EarlierRunDied, cancellationToken).ConfigureAwait(false);
        if (released > 0)
        {
            var reason = Describe(death);
            LogReleasedEarlierRun(released, node.Id, reason);
        }
    }

    /// <summary>Marks lost, and releases the leases of, every other node of this host whose process is gone.</summary>
    private async Task SweepHostAsync(CancellationToken cancellationToken)
    {
        var gone = new List<(string Id, string RunId, int ProcessId)>();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = db.Database.GetDbConnection().CreateCommand(ReadHostSql);
            command.AddParameter("@host", HostName);
            command.AddParameter("@id", node.Id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new NodeRow(reader.GetString(1), HostName, Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture), 0, 0, null, null);
                if (ProcessGone(row))
                {
                    gone.Add((reader.GetString(0), row.RunId!, row.ProcessId!.Value));
                }
            }
        }

        foreach (var (id, runId, processId) in gone)
        {
            // Guarded by the run: a process that took the id over meanwhile keeps its row and leases.
            var marked = await contexts.ExecuteAsync(
                MarkLostSql,
                cancellationToken,
                ("@id", id),
                ("@run", runId),
                ("@now", clock.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
            if (marked == 1)
            {
                var released = await queue.ReleaseLeasesAsync(NodeIdentity.LeaseOwnerOf(id, runId), LeaseRelease.EarlierRunDied, cancellationToken).ConfigureAwait(false);
                LogHostNodeGone(id, processId, released);
            }
        }
    }

    private async Task<NodeRow?> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = db.Database.GetDbConnection().CreateCommand(ReadSql);
        command.AddParameter("@id", node.Id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new NodeRow(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture),
            reader.GetInt64(3),
            reader.GetInt64(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5),
            reader.IsDBNull(6) ? null : reader.GetInt64(6));
    }

    private NodeIdInUseException Refusal(NodeRow? holder, DateTimeOffset now)
    {
        if (holder is null)
        {
            return new NodeIdInUseException($"{NodeIdentity.IdKey} '{node.Id}' could not be registered: other processes kept registering it at the same moment. Give each process its own {NodeIdentity.IdKey}.");
        }

        var where = holder.HostName is null
            ? "by a node of an earlier version"
            : $"on host {holder.HostName} (process {holder.ProcessId})";
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(holder.StartedAt);
        var beat = Math.Max(0, (now - DateTimeOffset.FromUnixTimeMilliseconds(holder.HeartbeatAt)).TotalSeconds);
        return new NodeIdInUseException(
            $"{NodeIdentity.IdKey} '{node.Id}' is held by a live node: it started at {startedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} " +
            $"{where} and last heartbeat {beat.ToString("F0", CultureInfo.InvariantCulture)} s ago. " +
            $"Stop that process, or give this one another {NodeIdentity.IdKey} (or none: the default is unique per process). " +
            $"The id is free again once that node stops, or {options.LeaseSeconds} s (Processing:LeaseSeconds) after its last heartbeat.");
    }

    private static string Describe(Death death) => death switch
    {
        Death.Stopped => "it had stopped",
        Death.Lost => "it had been marked lost",
        Death.Silent => "it had not heartbeaten for a lease period",
        _ => "its process on this host is gone",
    };

    /// <summary>Why an earlier run counts as dead.</summary>
    private enum Death
    {
        /// <summary>It stopped gracefully.</summary>
        Stopped,

        /// <summary>Another node saw its heartbeat stop and marked it lost.</summary>
        Lost,

        /// <summary>Its last heartbeat is older than a lease period.</summary>
        Silent,

        /// <summary>It ran on this host, and its process is no longer running.</summary>
        ProcessGone,
    }

    /// <summary>What registration reads of a <c>nodes</c> row; times in Unix milliseconds.</summary>
    private sealed record NodeRow(string? RunId, string? HostName, int? ProcessId, long StartedAt, long HeartbeatAt, long? StoppedAt, long? LostAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} registered (Node:Id {IdSource}) with role {Role}: run {RunId}, host {HostName}, process {ProcessId}")]
    private partial void LogRegistered(string nodeId, string idSource, NodeRole role, string runId, string hostName, int processId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Count} images left leased by an earlier run of node {NodeId}: {Reason}")]
    private partial void LogReleasedEarlierRun(int count, string nodeId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeId} of this host is gone without a graceful stop (process {ProcessId} no longer runs): marked lost, {Count} image leases released")]
    private partial void LogHostNodeGone(string nodeId, int processId, int count);
}
