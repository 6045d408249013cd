using System.Data.Common;
using System.Text;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Jobs.Queries.BrowseJobs;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>The job list and the results export: no-tracking projections, never an aggregate.</summary>
internal sealed class JobListReadModel(KcDbContext db) : IJobListReadModel
{
    public Task<ResultPage<JobSummaryView>> ListAsync(JobStatus? status, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var jobs = db.Jobs.AsNoTracking();
        if (status is { } wanted)
        {
            // ix_jobs_status_id (status, id) serves both the filter and the order.
            jobs = jobs.Where(j => j.Status == wanted);
        }

        return jobs
            .OrderByDescending(j => j.Id)
            .Select(j => new JobSummaryView(j.Id, j.Status, j.CreatedAt, j.CompletedAt, JobProgress.Of(j.Status, j.TotalImages, j.SucceededImages, j.FailedImages)))
            .ToPageAsync(page, cancellationToken);
    }

    public Task<bool> JobExistsAsync(long jobId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().AnyAsync(j => j.Id == jobId, cancellationToken);

    /// <summary>
    /// Walks the jobs by primary key from the cursor, newest first (or up from it), testing each
    /// filter as it goes: a page reads about a page of rows, however deep it is. Store and area
    /// filters become one set of job ids from ix_visits_store_id_visit_time (and ix_stores_area_code);
    /// with a status the walk follows ix_jobs_status_id instead.
    /// </summary>
    public async Task<IReadOnlyList<JobSummaryView>> BrowseAsync(JobFilter filter, long? cursor, bool newer, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = Where(filter);
        if (cursor is not null)
        {
            where.Append(newer ? " AND j.id > @cursor" : " AND j.id < @cursor");
        }

        var sql = $"SELECT j.id, j.status, j.created_at, j.completed_at, j.total_images, j.succeeded_images, j.failed_images FROM jobs AS j {where} ORDER BY j.id {(newer ? "ASC" : "DESC")} LIMIT @take";
        return await ReadAsync(sql, filter, cursor, take, reader =>
        {
            var status = (JobStatus)reader.GetInt32(1);
            return new JobSummaryView(
                reader.GetInt64(0),
                status,
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                JobProgress.Of(status, reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6)));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountAsync(JobFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var counts = await ReadAsync($"SELECT COUNT(*) FROM jobs AS j {Where(filter)}", filter, null, null, reader => reader.GetInt64(0), cancellationToken).ConfigureAwait(false);
        return counts[0];
    }

    public async Task<IReadOnlyList<long>> FindIdsAsync(JobFilter filter, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return await ReadAsync($"SELECT j.id FROM jobs AS j {Where(filter)} ORDER BY j.id DESC LIMIT @take", filter, null, max, reader => reader.GetInt64(0), cancellationToken).ConfigureAwait(false);
    }

    // Only the filters in use become SQL, so the planner sees plain predicates it can index.
    private static StringBuilder Where(JobFilter filter)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        if (filter.JobId is not null)
        {
            where.Append(" AND j.id = @job");
        }

        if (filter.Status is not null)
        {
            where.Append(" AND j.status = @status");
        }

        if (filter.StoreId is not null)
        {
            where.Append(" AND j.id IN (SELECT job_id FROM visits WHERE store_id = @store)");
        }

        if (filter.AreaCode is not null)
        {
            where.Append(" AND j.id IN (SELECT v.job_id FROM visits AS v JOIN stores AS s ON s.store_id = v.store_id WHERE s.area_code = @area)");
        }

        // Compared in SQL: EF Core will not compare SQLite's text-stored times; the bounds are written in the stored form.
        if (filter.CreatedFrom is not null)
        {
            where.Append(" AND j.created_at >= @from");
        }

        if (filter.CreatedBefore is not null)
        {
            where.Append(" AND j.created_at < @before");
        }

        return where;
    }

    private async Task<List<T>> ReadAsync<T>(string sql, JobFilter filter, long? cursor, int? take, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand(sql);
            AddParameters(command, filter, db.Dialect);
            if (cursor is not null)
            {
                command.AddParameter("@cursor", cursor.Value);
            }

            if (take is not null)
            {
                command.AddParameter("@take", take.Value);
            }

            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static void AddParameters(DbCommand command, JobFilter filter, SqlDialect dialect)
    {
        if (filter.JobId is { } job)
        {
            command.AddParameter("@job", job);
        }

        if (filter.Status is { } status)
        {
            command.AddParameter("@status", (int)status);
        }

        if (filter.StoreId is { } store)
        {
            command.AddParameter("@store", store);
        }

        if (filter.AreaCode is { } area)
        {
            command.AddParameter("@area", area);
        }

        if (filter.CreatedFrom is { } from)
        {
            command.AddParameter("@from", dialect.TimeParameter(from));
        }

        if (filter.CreatedBefore is { } before)
        {
            command.AddParameter("@before", dialect.TimeParameter(before));
        }
    }

    /// <summary>
    /// Visit by visit (ix_visits_job_id), each visit's images through IX_images_visit_id: SQLite then
    /// sorts only one visit's images at a time by position, so rows leave as they are read, in
    /// submission order, however large the job.
    /// </summary>
    public IAsyncEnumerable<JobResultRow> ReadResults(long jobId) =>
        (from v in db.Visits.AsNoTracking()
         where v.JobId == jobId
         join i in db.Images.AsNoTracking() on v.Id equals i.VisitId
         join s in db.Stores.AsNoTracking() on v.StoreId equals s.StoreId into stores
         from s in stores.DefaultIfEmpty()
         orderby v.Id, i.Sequence
         select new JobResultRow(
             v.StoreId,
             s == null ? null : s.StoreName,
             s == null ? null : s.AreaCode,
             v.VisitTime,
             i.Url,
             i.State,
             i.Width,
             i.Height,
             i.Perimeter,
             i.Error,
             EF.Property<long?>(i, "bytes"),
             EF.Property<int?>(i, "download_ms"),
             EF.Property<int?>(i, "gpu_ms")))
        .AsAsyncEnumerable();
}
