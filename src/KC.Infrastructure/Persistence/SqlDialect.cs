using System.Data.Common;
using System.Globalization;
using KC.Domain.Jobs;
using Microsoft.Data.Sqlite;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The few statements that differ between SQLite and PostgreSQL. Everything else the hand-written
/// SQL does is common to both; the parameters use the <c>@name</c> form, which both providers take.
/// </summary>
internal abstract class SqlDialect
{
    protected const int Pending = (int)ImageState.Pending;
    protected const int Processing = (int)ImageState.Processing;

    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Picks up to <c>@max</c> due images in fair order (position within the job, then job) and
    /// leases them to <c>@owner</c> until <c>@expires</c>, returning
    /// <c>id, job_id, visit_id, url, attempts, seq</c>.
    /// </summary>
    public string ClaimImagesSql => field ??= ClaimSql(
        "images", "id", $"state = {Pending} AND next_attempt_at <= @now", "seq, job_id",
        $"state = {Processing}, lease_owner = @owner, lease_expires_at = @expires, claims = claims + 1", "id, job_id, visit_id, url, attempts, seq, claims");

    /// <summary>Claims up to <c>@max</c> rows of <paramref name="table"/> keyed by <paramref name="key"/> that meet <paramref name="due"/>, oldest <paramref name="order"/> first.</summary>
    public abstract string ClaimSql(string table, string key, string due, string order, string set, string returning);

    /// <summary>
    /// Locks the job rows of an outcome batch in id order before any image row, the order a
    /// cancellation takes them in too, so concurrent writers queue instead of deadlocking. Null
    /// where writers are serialised anyway.
    /// </summary>
    public virtual string? LockJobsSql => null;

    /// <summary>
    /// Settles a whole outcome batch in one statement from parallel arrays (<c>@ids</c>,
    /// <c>@states</c>, <c>@widths</c>, <c>@heights</c>, <c>@perimeters</c>, <c>@errors</c>,
    /// <c>@attempts</c>, <c>@last_errors</c>), guarded like the one-row form, returning the
    /// <c>job_id, state</c> of each row it settled. Null where one statement per row is as cheap
    /// (SQLite runs in-process, so a statement costs no round trip).
    /// </summary>
    public virtual string? SettleImagesBatchSql => null;

    /// <summary>Tells idle workers on other nodes that new work was committed; null where there are no other nodes to tell.</summary>
    public virtual string? AnnounceWorkSql => null;

    /// <summary>A point in time as a parameter compared against a stored <see cref="DateTimeOffset"/> column.</summary>
    public abstract object TimeParameter(DateTimeOffset time);

    /// <summary>A failure worth running the whole transaction again: a deadlock, a serialisation failure, a busy database.</summary>
    public static bool IsTransient(DbException exception) => exception is { IsTransient: true } || exception.SqlState is "40001" or "40P01";

    /// <summary>SQLite's primary-key or unique constraint; PostgreSQL's unique_violation.</summary>
    public static bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: SqliteConstraintPrimaryKey or SqliteConstraintUnique }
        || exception.SqlState == "23505";

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite.Instance,
        DatabaseProvider.Postgres => Postgres.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Database:Provider must be Sqlite or Postgres."),
    };

    /// <summary>SQLite serialises writers, so one <c>UPDATE … RETURNING</c> both picks and leases.</summary>
    private sealed class Sqlite : SqlDialect
    {
        public static readonly Sqlite Instance = new();

        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        public override string ClaimSql(string table, string key, string due, string order, string set, string returning) => $"""
            UPDATE {table}
            SET {set}
            WHERE {key} IN (SELECT {key} FROM {table} WHERE {due} ORDER BY {order} LIMIT @max)
            RETURNING {returning}
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
            time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF'+00:00'", CultureInfo.InvariantCulture);    }

    /// <summary>
    /// PostgreSQL lets writers run side by side, so a claim locks the rows it picks and skips rows
    /// another node is picking at that moment: claims never wait on each other or pick a row twice.
    /// </summary>
    private sealed class Postgres : SqlDialect
    {
        public static readonly Postgres Instance = new();

        public override DatabaseProvider Provider => DatabaseProvider.Postgres;

        public override string LockJobsSql => "SELECT id FROM jobs WHERE id = ANY(@ids) ORDER BY id FOR UPDATE";

        public override string AnnounceWorkSql => $"SELECT pg_notify('{WorkChannel}', '')";

        public override string SettleImagesBatchSql => $"""
            UPDATE images AS i
            SET state = o.state, width = o.width, height = o.height, perimeter = o.perimeter, error = o.error,
                attempts = i.attempts + o.attempts, last_error = COALESCE(o.last_error, i.last_error),
                settled_at = @settled, settled_by = @node, lease_owner = NULL, lease_expires_at = NULL
            FROM unnest(@ids, @states, @widths, @heights, @perimeters, @errors, @attempts, @last_errors)
                AS o(id, state, width, height, perimeter, error, attempts, last_error)
            WHERE i.id = o.id AND i.state = {Processing} AND i.lease_owner = @owner
            RETURNING i.job_id, o.state
            """;

        public override object TimeParameter(DateTimeOffset time) => time.ToUniversalTime();

        public override string ClaimSql(string table, string key, string due, string order, string set, string returning)
        {
            var returned = string.Join(", ", returning.Split(", ").Select(column => $"t.{column}"));
            return $"""
                WITH picked AS (
                    SELECT {key} FROM {table}
                    WHERE {due}
                    ORDER BY {order}
                    LIMIT @max
                    FOR UPDATE SKIP LOCKED)
                UPDATE {table} AS t
                SET {set}
                FROM picked
                WHERE t.{key} = picked.{key}
                RETURNING {returned}
                """;
        }
    }

    /// <summary>The PostgreSQL channel on which submits announce new work.</summary>
    public const string WorkChannel = "kc_work";
}
