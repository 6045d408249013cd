using KC.Application.Common.Interfaces;
using KC.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Callbacks;

/// <summary>A completion callback claimed for sending.</summary>
/// <param name="Attempts">POSTs made before this one.</param>
internal sealed record DueCallback(long JobId, string Url, int Attempts);

/// <summary>
/// The callback queue is the <c>callback_deliveries</c> table, worked like the images table: a
/// pending row is due once <c>next_attempt_at</c> has passed, a claim leases it to one node, and
/// recording an attempt is guarded by state and lease owner. A node that dies mid-delivery leaves
/// its lease to lapse, and the callback is sent again: at least once.
/// </summary>
internal sealed class CallbackStore(IDbContextFactory<KcDbContext> contexts, TimeProvider clock)
{
    private const int Pending = (int)CallbackStatus.Pending;

    // A read first: an idle node looks every poll, and a read never waits for the writer's lock.
    // Due as the dialect's claim has it: pending, its time come, its lease free or lapsed.
    private static readonly string AnyDueSql = $"""
        SELECT EXISTS (
            SELECT 1 FROM callback_deliveries
            WHERE state = {Pending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now))
        """;

    private static readonly string SettleAttemptSql = $"""
        UPDATE callback_deliveries
        SET state = @state, attempts = attempts + 1, next_attempt_at = @next, completed_at = @completed,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE job_id = @job AND state = {Pending} AND lease_owner = @owner
        """;

    private static readonly string InsertAttemptSql = $"""
        INSERT INTO callback_attempts (job_id, attempted_at, status_code, error)
        VALUES (@job, @at, @code, @error)
        """;

    private static readonly string ReleaseSql = $"""
        UPDATE callback_deliveries SET lease_owner = NULL, lease_expires_at = NULL
        WHERE state = {Pending} AND lease_owner = @owner
        """;

    public async Task<IReadOnlyList<DueCallback>> ClaimDueAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();

        await using (var anyDue = connection.CreateCommand(AnyDueSql))
        {
            anyDue.AddParameter("@now", now.ToUnixTimeMilliseconds());
            if (Convert.ToInt64(await anyDue.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return [];
            }
        }

        await using var claim = connection.CreateCommand(db.Dialect.ClaimCallbacksSql);
        claim.AddParameter("@owner", owner);
        claim.AddParameter("@now", now.ToUnixTimeMilliseconds());
        claim.AddParameter("@expires", (now + lease).ToUnixTimeMilliseconds());
        claim.AddParameter("@max", max);
        var claimed = new List<DueCallback>();
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new DueCallback(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2)));
        }

        return claimed;
    }

    /// <summary>The job's status as <c>GET /api/status</c> gives it, or null when the job is gone.</summary>
    public async Task<JobStatusView?> ReadStatusAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await new JobReadModel(db).GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one attempt and where the delivery now stands, in one transaction. False when this
    /// node no longer holds the claim (it lapsed and another node took the callback over); then
    /// nothing is recorded.
    /// </summary>
    public async Task<bool> RecordAttemptAsync(
        string owner,
        long jobId,
        CallbackAttemptView attempt,
        CallbackStatus state,
        DateTimeOffset nextAttemptAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var settle = connection.CreateCommand(SettleAttemptSql, transaction))
        {
            settle.AddParameter("@job", jobId);
            settle.AddParameter("@owner", owner);
            settle.AddParameter("@state", (int)state);
            settle.AddParameter("@next", nextAttemptAt.ToUnixTimeMilliseconds());
            settle.AddParameter("@completed", state == CallbackStatus.Pending ? null : clock.GetUtcNow());
            if (await settle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await using (var insert = connection.CreateCommand(InsertAttemptSql, transaction))
        {
            insert.AddParameter("@job", jobId);
            insert.AddParameter("@at", attempt.At);
            insert.AddParameter("@code", attempt.StatusCode);
            insert.AddParameter("@error", attempt.Error);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Hands back every callback this node holds, so it is due again at once.</summary>
    public async Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = db.Database.GetDbConnection().CreateCommand(ReleaseSql);
        command.AddParameter("@owner", owner);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
