using System.Globalization;
using KC.Application.Common.Interfaces;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// Recent work, read so that it does not grow with the images table: jobs by status from
/// ix_jobs_status_id, and for the per-minute chart only the images of jobs that can have settled
/// one in the window.
/// </summary>
internal sealed class MonitoringReadModel(KcDbContext db) : IMonitoringReadModel
{
    private const int Ongoing = (int)JobStatus.Ongoing;

    private const string JobsByStatusSql = "SELECT status, COUNT(*) FROM jobs GROUP BY status";

    public async Task<IReadOnlyDictionary<JobStatus, long>> CountJobsByStatusAsync(CancellationToken cancellationToken)
    {
        return await WithConnectionAsync<IReadOnlyDictionary<JobStatus, long>>(async connection =>
        {
            await using var command = connection.CreateCommand(JobsByStatusSql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var counts = new Dictionary<JobStatus, long>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                counts[(JobStatus)Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            }

            return counts;
        }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SettledInMinute>> CountSettledPerMinuteAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Only jobs ongoing, or settled within the window, can hold an image settled in it; their
        // images are read through ix_images_job_state_seq, never the whole table.
        var sql = $"""
            SELECT {db.Dialect.MinuteOf("settled_at")} AS minute, state, COUNT(*)
            FROM images
            WHERE job_id IN (SELECT id FROM jobs WHERE status = {Ongoing} OR completed_at >= @since)
              AND state IN ({(int)ImageState.Succeeded}, {(int)ImageState.Failed}) AND settled_at >= @since
            GROUP BY minute, state
            """;
        return await WithConnectionAsync<IReadOnlyList<SettledInMinute>>(async connection =>
        {
            await using var command = connection.CreateCommand(sql);
            command.AddParameter("@since", db.Dialect.TimeParameter(since));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var minutes = new SortedDictionary<DateTimeOffset, (long Succeeded, long Failed)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var minute = DateTimeOffset.ParseExact(reader.GetString(0), "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                var count = Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture);
                var (succeeded, failed) = minutes.GetValueOrDefault(minute);
                minutes[minute] = (ImageState)Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture) == ImageState.Succeeded
                    ? (succeeded + count, failed)
                    : (succeeded, failed + count);
            }

            return minutes.Select(m => new SettledInMinute(m.Key, m.Value.Succeeded, m.Value.Failed)).ToList();
        }).ConfigureAwait(false);
    }

    private async Task<T> WithConnectionAsync<T>(Func<System.Data.Common.DbConnection, Task<T>> read)
    {
        await db.Database.OpenConnectionAsync().ConfigureAwait(false);
        try
        {
            return await read(db.Database.GetDbConnection()).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
