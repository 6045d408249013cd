using System.Data.Common;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using KC.Domain.Stores;
using Microsoft.Data.Sqlite;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The statements that differ between the database providers, each written out whole by the
/// provider (<c>Sqlite/SqliteDialect</c>, <c>Postgres/PostgresDialect</c>). Everything else the
/// hand-written SQL does is common to both; parameters use the <c>@name</c> form, which both take.
/// </summary>
internal abstract class SqlDialect
{
    protected const int Pending = (int)ImageState.Pending;
    protected const int Processing = (int)ImageState.Processing;
    protected const int CallbackPending = (int)CallbackStatus.Pending;

    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Picks up to <c>@max</c> images due at <c>@now</c> in fair order (position within the job, then
    /// job) and leases them to <c>@owner</c> until <c>@expires</c>, counting the claim; returns
    /// <c>id, job_id, visit_id, url, attempts, seq, claims</c>.
    /// </summary>
    public abstract string ClaimImagesSql { get; }

    /// <summary>
    /// Picks up to <c>@max</c> completion callbacks due at <c>@now</c> whose lease is free or lapsed,
    /// oldest due first, and leases them to <c>@owner</c> until <c>@expires</c>; returns <c>job_id, url, attempts</c>.
    /// </summary>
    public abstract string ClaimCallbacksSql { get; }

    /// <summary>
    /// Locks the job rows of an outcome batch in id order before any image row, the order a
    /// cancellation takes them in too, so concurrent writers queue instead of deadlocking. Null
    /// where writers are serialised anyway.
    /// </summary>
    public virtual string? LockJobsSql => null;

    /// <summary>
    /// Settles a whole outcome batch in one statement from parallel arrays (<c>@ids</c>,
    /// <c>@states</c>, <c>@widths</c>, <c>@heights</c>, <c>@perimeters</c>, <c>@errors</c>,
    /// <c>@attempts</c>, <c>@last_errors</c>, <c>@bytes</c>, <c>@download_ms</c>, <c>@gpu_ms</c>),
    /// guarded like the one-row form, returning the <c>job_id, state, id</c> of each row it settled.
    /// Null where one statement per row is as cheap
    /// (SQLite runs in-process, so a statement costs no round trip).
    /// </summary>
    public virtual string? SettleImagesBatchSql => null;

    /// <summary>Tells idle workers on other nodes that new work was committed; null where there are no other nodes to tell.</summary>
    public virtual string? AnnounceWorkSql => null;

    /// <summary>The UTC minute of a stored <see cref="DateTimeOffset"/> column as text, <c>yyyy-MM-dd HH:mm</c>, for grouping by minute.</summary>
    public abstract string MinuteOf(string column);

    /// <summary>A point in time as a parameter compared against a stored <see cref="DateTimeOffset"/> column.</summary>
    public abstract object TimeParameter(DateTimeOffset time);

    /// <summary>The stores whose name contains <paramref name="pattern"/> (a LIKE pattern escaped with <paramref name="escape"/>), ignoring case.</summary>
    public abstract IQueryable<Store> WhereNameContains(IQueryable<Store> stores, string pattern, string escape);

    /// <summary>A failure worth running the whole transaction again: a deadlock, a serialisation failure, a busy database.</summary>
    public static bool IsTransient(DbException exception) => exception is { IsTransient: true } || exception.SqlState is "40001" or "40P01";

    /// <summary>SQLite's primary-key or unique constraint; PostgreSQL's unique_violation.</summary>
    public static bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: SqliteConstraintPrimaryKey or SqliteConstraintUnique }
        || exception.SqlState == "23505";
}
