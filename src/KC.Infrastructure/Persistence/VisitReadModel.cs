using System.Data.Common;
using System.Globalization;
using System.Text;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Paging;
using KC.Application.Stores.Queries.GetStoreVisits;
using KC.Domain.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KC.Infrastructure.Persistence;

/// <summary>
/// The visits query across jobs. The page of visits is read with hand-written SQL, then all their
/// images with one EF query: two round trips per page (three with the count), never one per visit.
/// </summary>
internal sealed class VisitReadModel(KcDbContext db) : IVisitReadModel
{
    public async Task<ResultPage<VisitResultView>> SearchAsync(VisitSearch search, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(page);

        var (total, visits) = await ReadVisitsAsync(search, page, cancellationToken).ConfigureAwait(false);
        if (visits.Count == 0)
        {
            return new ResultPage<VisitResultView>([], page, total);
        }

        var visitIds = visits.Select(v => v.Id).ToList();
        var imagesByVisit = await ImageViews.ByVisitAsync(db.Images.AsNoTracking().Where(i => visitIds.Contains(i.VisitId)), cancellationToken).ConfigureAwait(false);

        var items = visits
            .Select(v => new VisitResultView(v.JobId, v.StoreId, v.StoreName, v.AreaCode, v.VisitTime, imagesByVisit[v.Id].ToList()))
            .ToList();
        return new ResultPage<VisitResultView>(items, page, total);
    }

    // The latest visits walk ix_visits_store_id_visit_time backwards; only their images are counted (IX_images_visit_id).
    private static readonly string RecentOfStoreSql = $"""
        SELECT r.job_id, r.status, r.visit_time, COUNT(i.id),
            SUM(CASE WHEN i.state = {(int)ImageState.Succeeded} THEN 1 ELSE 0 END),
            SUM(CASE WHEN i.state = {(int)ImageState.Failed} THEN 1 ELSE 0 END),
            SUM(CASE WHEN i.state = {(int)ImageState.Cancelled} THEN 1 ELSE 0 END)
        FROM (SELECT v.id, v.job_id, v.visit_time, j.status FROM visits AS v JOIN jobs AS j ON j.id = v.job_id
              WHERE v.store_id = @store ORDER BY v.visit_time DESC, v.id DESC LIMIT @take) AS r
        LEFT JOIN images AS i ON i.visit_id = r.id
        GROUP BY r.id, r.job_id, r.status, r.visit_time
        ORDER BY r.visit_time DESC, r.id DESC
        """;

    public async Task<IReadOnlyList<StoreVisitOutcome>> RecentOfStoreAsync(string storeId, int take, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand(RecentOfStoreSql);
            command.AddParameter("@store", storeId);
            command.AddParameter("@take", take);
            var visits = new List<StoreVisitOutcome>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                visits.Add(new StoreVisitOutcome(
                    reader.GetInt64(0),
                    (JobStatus)Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                    reader.GetFieldValue<DateTimeOffset>(2),
                    new JobProgress(Count(reader, 3), Count(reader, 4), Count(reader, 5), Count(reader, 6))));
            }

            return visits;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        static int Count(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    // Visit times are compared in hand-written SQL because EF Core refuses to compare or order
    // SQLite's text-stored DateTimeOffset; SqlDialect.TimeParameter writes the bounds in the stored
    // form, so the range can use ix_visits_store_id_visit_time on either provider.
    private async Task<(long Total, List<VisitRow> Visits)> ReadVisitsAsync(VisitSearch search, PageRequest page, CancellationToken cancellationToken)
    {
        // Only the filters in use become SQL, so the planner sees plain predicates it can index.
        var from = new StringBuilder(search.AreaCode is null
            ? "FROM visits AS v LEFT JOIN stores AS s ON s.store_id = v.store_id WHERE 1 = 1"
            : "FROM visits AS v JOIN stores AS s ON s.store_id = v.store_id WHERE s.area_code = @area");
        if (search.StoreId is not null)
        {
            from.Append(" AND v.store_id = @store");
        }

        if (search.From is not null)
        {
            from.Append(" AND v.visit_time >= @from");
        }

        if (search.Before is not null)
        {
            from.Append(" AND v.visit_time < @before");
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = db.Database.GetDbConnection();
            long total;
            await using (var count = connection.CreateCommand($"SELECT COUNT(*) {from}"))
            {
                AddFilters(count, search, db.Dialect);
                total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            }

            var visits = new List<VisitRow>();
            if (page.Offset >= total)
            {
                return (total, visits);
            }

            await using var select = connection.CreateCommand(
                $"SELECT v.id, v.job_id, v.store_id, s.store_name, s.area_code, v.visit_time {from} ORDER BY v.visit_time, v.id LIMIT @take OFFSET @skip");
            AddFilters(select, search, db.Dialect);
            select.AddParameter("@take", page.PageSize);
            select.AddParameter("@skip", page.Offset);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                visits.Add(new VisitRow(
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
            }

            return (total, visits);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static void AddFilters(DbCommand command, VisitSearch search, SqlDialect dialect)
    {
        if (search.AreaCode is not null)
        {
            command.AddParameter("@area", search.AreaCode);
        }

        if (search.StoreId is not null)
        {
            command.AddParameter("@store", search.StoreId);
        }

        if (search.From is { } from)
        {
            command.AddParameter("@from", dialect.TimeParameter(from));
        }

        if (search.Before is { } before)
        {
            command.AddParameter("@before", dialect.TimeParameter(before));
        }
    }

    private sealed record VisitRow(long Id, long JobId, string StoreId, string? StoreName, string? AreaCode, DateTimeOffset VisitTime);
}
