using System.Data.Common;
using KC.Application.Common.Interfaces;
using KC.Infrastructure.Persistence;

namespace KC.Infrastructure.Callbacks;

/// <summary>
/// Queues the completion callback of jobs that have just settled. Called by
/// <see cref="Persistence.JobSettlement"/> inside the transaction that settles them (outcomes,
/// cancellation, a submit of unknown stores only), so a settled job with a <c>callback_url</c>
/// always has its delivery row: a crash cannot lose the callback.
/// </summary>
internal static class CallbackOutbox
{
    // Jobs without a callback_url select nothing. A job settles once, so the conflict clause only
    // keeps a replayed call harmless.
    private static readonly string EnqueueSql = $"""
        INSERT INTO callback_deliveries (job_id, url, state, attempts, next_attempt_at, created_at)
        SELECT id, callback_url, {(int)CallbackStatus.Pending}, 0, @due, @now FROM jobs
        WHERE id = @id AND callback_url IS NOT NULL
        ON CONFLICT (job_id) DO NOTHING
        """;

    public static async Task EnqueueAsync(
        DbConnection connection,
        DbTransaction transaction,
        IEnumerable<long> settledJobIds,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settledJobIds);
        if (settledJobIds is ICollection<long> { Count: 0 })
        {
            return;
        }

        await using var command = connection.CreateCommand(EnqueueSql, transaction);
        var id = command.AddParameter("@id", 0L);
        command.AddParameter("@due", now.ToUnixTimeMilliseconds());
        command.AddParameter("@now", now);
        foreach (var jobId in settledJobIds)
        {
            id.Value = jobId;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
