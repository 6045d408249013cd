using System.Globalization;
using KC.Domain.Stores;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence.Sqlite;

/// <summary>SQLite serialises writers, so one <c>UPDATE … RETURNING</c> both picks and leases.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    private SqliteDialect()
    {
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    // The pick walks the partial index ix_images_pending_fair: position in job, then job.
    public override string ClaimImagesSql { get; } = $"""
        UPDATE images
        SET state = {Processing}, lease_owner = @owner, lease_expires_at = @expires, claims = claims + 1
        WHERE id IN (
            SELECT id FROM images
            WHERE state = {Pending} AND next_attempt_at <= @now
            ORDER BY seq, job_id
            LIMIT @max)
        RETURNING id, job_id, visit_id, url, attempts, seq, claims
        """;

    public override string ClaimCallbacksSql { get; } = $"""
        UPDATE callback_deliveries
        SET lease_owner = @owner, lease_expires_at = @expires
        WHERE job_id IN (
            SELECT job_id FROM callback_deliveries
            WHERE state = {CallbackPending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now)
            ORDER BY next_attempt_at
            LIMIT @max)
        RETURNING job_id, url, attempts
        """;

    /// <summary>
    /// SQLite has no date type: EF Core stores a <see cref="DateTimeOffset"/> as text. The
    /// domain stores every time in UTC, so every value has the form
    /// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF+00:00</c> (Microsoft.Data.Sqlite's format, fraction trimmed
    /// of trailing zeros and left out when zero). Fixed-width fields and one offset make text
    /// order time order, and a missing or shorter fraction sorts first because <c>+</c> sorts
    /// before <c>.</c> and every digit. Bounds written in the same form compare as plain text
    /// and can use an index.
    /// </summary>
    public override object TimeParameter(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Stored times are UTC text in a fixed-width form (see <see cref="TimeParameter"/>): the minute is its first 16 characters.</summary>
    public override string MinuteOf(string column) => $"substr({column}, 1, 16)";

    /// <summary>SQLite's LIKE ignores the case of ASCII letters, which is what store names are written in.</summary>
    public override IQueryable<Store> WhereNameContains(IQueryable<Store> stores, string pattern, string escape) =>
        stores.Where(s => EF.Functions.Like(s.StoreName, pattern, escape));
}
