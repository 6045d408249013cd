using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs;
using KC.Domain.Jobs;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// A failed job's per-store error list (<see cref="StoreErrorSummary"/>), made once from its failed
/// images in the transaction that settles it as failed and kept in <c>jobs.error_summary</c>, so a
/// status poll of a job of many thousand failures is one row's read, not a read of every failure.
/// The list cannot go stale: a failed job's images change only when a retry opens the job again,
/// which clears the summary, and the next failed settling writes a new one. A failed job settled
/// before the column existed has none, and is summarised from its images when read.
/// </summary>
internal static class FailureSummaries
{
    private static readonly string FailuresSql = $"""
        SELECT v.store_id, v.store_known, i.url, i.error
        FROM images i JOIN visits v ON v.id = i.visit_id
        WHERE i.job_id = @id AND i.state = {(int)ImageState.Failed}
        ORDER BY i.seq
        """;

    private const string StoreSql = "UPDATE jobs SET error_summary = @summary WHERE id = @id";

    /// <summary>Summarises the job's failed images and keeps the list on its row.</summary>
    public static async Task StoreAsync(DbConnection connection, DbTransaction transaction, long jobId, CancellationToken cancellationToken)
    {
        var errors = await SummarizeAsync(connection, transaction, jobId, cancellationToken).ConfigureAwait(false);
        await using var store = connection.CreateCommand(StoreSql, transaction);
        store.AddParameter("@id", jobId);
        store.AddParameter("@summary", JsonSerializer.Serialize(errors.Select(e => new Entry(e.StoreId, e.Error)).ToList(), SummaryJson.Default.ListEntry));
        await store.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The list as <see cref="StoreAsync"/> kept it.</summary>
    public static IReadOnlyList<StoreError> Read(string stored) =>
        (JsonSerializer.Deserialize(stored, SummaryJson.Default.ListEntry) ?? []).ConvertAll(e => new StoreError(e.StoreId, e.Error));

    /// <summary>The list made from the job's failed images as they are now.</summary>
    public static async Task<IReadOnlyList<StoreError>> SummarizeAsync(DbConnection connection, DbTransaction? transaction, long jobId, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand(FailuresSql, transaction);
        read.AddParameter("@id", jobId);
        var failures = new List<FailedImage>();
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                failures.Add(new FailedImage(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.IsDBNull(3) ? string.Empty : reader.GetString(3)));
            }
        }

        return StoreErrorSummary.Summarize(failures);
    }

    /// <summary>One store's entry as stored: the names of the wire's error list.</summary>
    internal sealed record Entry([property: JsonPropertyName("store_id")] string StoreId, [property: JsonPropertyName("error")] string Error);
}

[JsonSerializable(typeof(List<FailureSummaries.Entry>))]
internal sealed partial class SummaryJson : JsonSerializerContext;
