using System.Diagnostics;
using System.Globalization;
using KC.Bench.Reporting;
using KC.TestSupport;
using Microsoft.Data.Sqlite;

namespace KC.Bench.Scenarios;

/// <summary>
/// The dashboard over big tables: 10,000 jobs and 1,000,000 images (100 per job, in 10 visits)
/// seeded with SQL straight into the service's SQLite file, then every page asked for in turn and
/// its server time read from the <c>Server-Timing</c> header the dashboard sets. The service runs
/// as <c>Node:Role=api</c>, so no worker moves the seeded queue while it is measured.
/// </summary>
internal static class DashboardScenario
{
    private const int ImagesPerVisit = 10;
    private const int VisitsPerJob = 10;
    private const int WarmUps = 3;
    private const int Samples = 20;

    public static async Task<IReadOnlyList<ResultRow>> RunAsync(BenchEnvironment environment, CancellationToken cancellationToken)
    {
        var jobs = environment.Options.Quick ? 1_000 : 10_000;
        var images = jobs * VisitsPerJob * ImagesPerVisit;
        var folder = Path.Combine(environment.TemporaryRoot, $"dashboard-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "kc.db");
        var settings = ServiceRun.Configuration(environment, new ServiceSettings(64), "Sqlite", $"bench-dashboard-{Guid.NewGuid():N}", [new("Node:Role", "api")]);
        try
        {
            await using var service = await ServiceProcess.StartAsync($"Data Source={database}", settings, TimeSpan.FromSeconds(90));
            var seeding = Stopwatch.StartNew();
            var (store, area) = await SeedAsync(database, environment.StoreIds, jobs, cancellationToken);
            BenchLog.Line(string.Create(CultureInfo.InvariantCulture, $"dashboard: seeded {jobs:#,0} jobs and {images:#,0} images in {seeding.Elapsed.TotalSeconds:0.0} s"));

            using var http = service.CreateClient();
            var middle = jobs / 2;
            var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var weekAgo = DateTimeOffset.UtcNow.AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            (string Page, string Path)[] pages =
            [
                ("overview", "/dashboard"),
                ("overview: live queue", "/dashboard/live/queue"),
                ("overview: live jobs and chart", "/dashboard/live/activity"),
                ("jobs, newest page", "/dashboard/jobs"),
                ("jobs, a page in the middle", $"/dashboard/jobs?older_than={middle}"),
                ("jobs, the oldest page", "/dashboard/jobs?older_than=51"),
                ("jobs: status failed", "/dashboard/jobs?status=failed"),
                ("jobs: store id", $"/dashboard/jobs?store={Uri.EscapeDataString(store)}"),
                ("jobs: area code", $"/dashboard/jobs?area={Uri.EscapeDataString(area)}"),
                ("jobs: last 7 days", $"/dashboard/jobs?from={weekAgo}&to={today}"),
                ("jobs: status and store, deep", $"/dashboard/jobs?status=failed&store={Uri.EscapeDataString(store)}&older_than={middle}"),
                ("jobs: job id", $"/dashboard/jobs?job={middle}"),
                ("job page (100 images)", $"/dashboard/jobs/{middle}"),
                ("job page: live progress", $"/dashboard/jobs/{jobs}/live"),
                ("stores", "/dashboard/stores"),
                ("store page: latest visits", $"/dashboard/stores/{Uri.EscapeDataString(store)}"),
                ("nodes", "/dashboard/nodes"),
                ("submit", "/dashboard/submit"),
            ];

            var workloadSize = string.Create(CultureInfo.InvariantCulture, $"{jobs:#,0} jobs / {images:#,0} images");
            var rows = new List<ResultRow>();
            foreach (var (page, path) in pages)
            {
                var (server, client) = await MeasureAsync(http, path, cancellationToken);
                var percentiles = new Percentiles(server);
                var wall = new Percentiles(client);
                BenchLog.Line(string.Create(CultureInfo.InvariantCulture, $"dashboard {page}: server p50 {percentiles.At(50):0.0} ms, p95 {percentiles.At(95):0.0} ms, max {percentiles.Max:0.0} ms"));
                rows.Add(new ResultRow(
                    "Dashboard",
                    $"{page}, {workloadSize}",
                    "server ms p95",
                    percentiles.At(95),
                    "0.0",
                    Target.Maximum(200),
                    PeakRssMib: ProcessStats.PeakRssMib(service.ProcessId),
                    Notes: string.Create(CultureInfo.InvariantCulture, $"`{path}`; p50 {percentiles.At(50):0.0}, max {percentiles.Max:0.0} ms over {Samples}; client p50 {wall.At(50):0.0} ms")));
            }

            return rows;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException ex)
            {
                Trace.TraceWarning($"could not delete {folder}: {ex.Message}");
            }
        }
    }

    /// <summary>Asks for the page one request after another, after a few unmeasured ones; the server's own time and the client's.</summary>
    private static async Task<(List<double> Server, List<double> Client)> MeasureAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var server = new List<double>(Samples);
        var client = new List<double>(Samples);
        for (var i = 0; i < WarmUps + Samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new BenchFailureException($"{path} answered {(int)response.StatusCode}");
            }

            if (i < WarmUps)
            {
                continue;
            }

            client.Add(elapsed);
            server.Add(ServerTime(response) ?? throw new BenchFailureException($"{path} carried no Server-Timing header"));
        }

        return (server, client);
    }

    private static double? ServerTime(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Server-Timing", out var values))
        {
            return null;
        }

        var entry = values.First();
        var at = entry.IndexOf("dur=", StringComparison.Ordinal);
        return at < 0 ? null : double.Parse(entry[(at + 4)..].Split(',', ';')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Fills the tables the way the service would have: jobs spread over the last four weeks, the
    /// latest ones in the last hour (so the chart has something to draw), 2 % failed with one failed
    /// image per visit, 1 % still ongoing with half their images pending; counters that match the rows.
    /// Returns a store id and an area code to filter by.
    /// </summary>
    private static async Task<(string Store, string Area)> SeedAsync(string database, IReadOnlyList<string> storeIds, int jobs, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA busy_timeout = 30000", cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        // Job n is created (jobs - n) × 4 minutes ago; status: every 100th ongoing, every 50th (else) failed.
        var stores = string.Join(" UNION ALL ", storeIds.Select((id, i) => $"SELECT {i} AS k, '{id.Replace("'", "''", StringComparison.Ordinal)}' AS store_id"));
        string[] statements =
        [
            $"CREATE TEMP TABLE seed_stores AS {stores}",
            $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs})
            INSERT INTO jobs (id, status, created_at, completed_at, total_images, succeeded_images, failed_images)
            SELECT i,
                   CASE WHEN i % 100 = 0 THEN 0 WHEN i % 50 = 0 THEN 2 ELSE 1 END,
                   strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (({jobs} - i) * 4) || ' minutes') || '+00:00',
                   CASE WHEN i % 100 = 0 THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (({jobs} - i) * 4 - 1) || ' minutes') || '+00:00' END,
                   {VisitsPerJob * ImagesPerVisit},
                   CASE WHEN i % 100 = 0 THEN {VisitsPerJob * ImagesPerVisit / 2} WHEN i % 50 = 0 THEN {VisitsPerJob * (ImagesPerVisit - 1)} ELSE {VisitsPerJob * ImagesPerVisit} END,
                   CASE WHEN i % 100 = 0 THEN 0 WHEN i % 50 = 0 THEN {VisitsPerJob} ELSE 0 END
            FROM n
            """,
            $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs * VisitsPerJob})
            INSERT INTO visits (id, job_id, store_id, visit_time, store_known)
            SELECT i, (i - 1) / {VisitsPerJob} + 1,
                   (SELECT store_id FROM seed_stores WHERE k = i % (SELECT COUNT(*) FROM seed_stores)),
                   strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || (({jobs * VisitsPerJob} - i) * 24) || ' seconds') || '+00:00',
                   1
            FROM n
            """,
            $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs * VisitsPerJob * ImagesPerVisit})
            INSERT INTO images (id, job_id, visit_id, seq, url, state, attempts, width, height, perimeter, error, settled_at, next_attempt_at, claims)
            SELECT x.i, j.id, x.v, x.seq, 'https://images.example/shelf/' || x.i || '.jpg', x.state, 1,
                   CASE WHEN x.state = 2 THEN 640 END, CASE WHEN x.state = 2 THEN 480 END, CASE WHEN x.state = 2 THEN 2240 END,
                   CASE WHEN x.state = 3 THEN 'HTTP 404' END,
                   COALESCE(j.completed_at, j.created_at), 0, 0
            FROM (SELECT i, (i - 1) / {ImagesPerVisit} + 1 AS v, (i - 1) / {VisitsPerJob * ImagesPerVisit} + 1 AS job, (i - 1) % {VisitsPerJob * ImagesPerVisit} AS seq,
                         CASE WHEN ((i - 1) / {VisitsPerJob * ImagesPerVisit} + 1) % 100 <> 0 AND ((i - 1) / {VisitsPerJob * ImagesPerVisit} + 1) % 50 = 0
                                   AND (i - 1) % {ImagesPerVisit} = {ImagesPerVisit - 1} THEN 3 ELSE 2 END AS state
                  FROM n) AS x
            JOIN jobs AS j ON j.id = x.job
            """,
            // Half of an ongoing job's images are still pending; they were succeeded above.
            $"UPDATE images SET state = 0, attempts = 0, width = NULL, height = NULL, perimeter = NULL, settled_at = NULL WHERE job_id % 100 = 0 AND seq >= {VisitsPerJob * ImagesPerVisit / 2}",
        ];
        foreach (var sql in statements)
        {
            await ExecuteAsync(connection, sql, cancellationToken, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM images), (SELECT SUM(total_images) FROM jobs)";
            await using var reader = await count.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var (jobRows, imageRows, counted) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (jobRows < jobs || imageRows < (long)jobs * VisitsPerJob * ImagesPerVisit || counted != imageRows)
            {
                throw new BenchFailureException($"the seed made {jobRows} jobs and {imageRows} images, counted {counted}");
            }
        }

        await using var area = connection.CreateCommand();
        area.CommandText = "SELECT area_code FROM stores WHERE store_id = $id";
        area.Parameters.AddWithValue("$id", storeIds[0]);
        var areaCode = (string?)await area.ExecuteScalarAsync(cancellationToken) ?? string.Empty;
        return (storeIds[0], areaCode);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
