using KC.Domain.Stores;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence.Postgres;

/// <summary>
/// PostgreSQL lets writers run side by side, so a claim locks the rows it picks and skips rows
/// another node is picking at that moment: claims never wait on each other or pick a row twice.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    /// <summary>The channel on which submits announce new work.</summary>
    public const string WorkChannel = "kc_work";

    public static readonly PostgresDialect Instance = new();

    private PostgresDialect()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    // The pick walks the partial index ix_images_pending_fair: position in job, then job.
    public override string ClaimImagesSql { get; } = $"""
        WITH picked AS (
            SELECT id FROM images
            WHERE state = {Pending} AND next_attempt_at <= @now
            ORDER BY seq, job_id
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        UPDATE images AS t
        SET state = {Processing}, lease_owner = @owner, lease_expires_at = @expires, claims = claims + 1
        FROM picked
        WHERE t.id = picked.id
        RETURNING t.id, t.job_id, t.visit_id, t.url, t.attempts, t.seq, t.claims
        """;

    public override string ClaimCallbacksSql { get; } = $"""
        WITH picked AS (
            SELECT job_id FROM callback_deliveries
            WHERE state = {CallbackPending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now)
            ORDER BY next_attempt_at
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        UPDATE callback_deliveries AS t
        SET lease_owner = @owner, lease_expires_at = @expires
        FROM picked
        WHERE t.job_id = picked.job_id
        RETURNING t.job_id, t.url, t.attempts
        """;

    public override string LockJobsSql => "SELECT id FROM jobs WHERE id = ANY(@ids) ORDER BY id FOR UPDATE";

    public override string AnnounceWorkSql => $"SELECT pg_notify('{WorkChannel}', '')";

    public override string SettleImagesBatchSql { get; } = $"""
        UPDATE images AS i
        SET state = o.state, width = o.width, height = o.height, perimeter = o.perimeter, error = o.error,
            attempts = i.attempts + o.attempts, last_error = COALESCE(o.last_error, i.last_error),
            bytes = o.bytes, download_ms = o.download_ms, gpu_ms = o.gpu_ms,
            settled_at = @settled, settled_by = @node, lease_owner = NULL, lease_expires_at = NULL
        FROM unnest(@ids, @states, @widths, @heights, @perimeters, @errors, @attempts, @last_errors, @bytes, @download_ms, @gpu_ms)
            AS o(id, state, width, height, perimeter, error, attempts, last_error, bytes, download_ms, gpu_ms)
        WHERE i.id = o.id AND i.state = {Processing} AND i.lease_owner = @owner
        RETURNING i.job_id, o.state, i.id
        """;

    public override object TimeParameter(DateTimeOffset time) => time.ToUniversalTime();

    public override string MinuteOf(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')";

    /// <summary>PostgreSQL's LIKE heeds case, so the search uses ILIKE.</summary>
    public override IQueryable<Store> WhereNameContains(IQueryable<Store> stores, string pattern, string escape) =>
        stores.Where(s => EF.Functions.ILike(s.StoreName, pattern, escape));
}
