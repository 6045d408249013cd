using System.Globalization;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>Reads the service's database directly, to check what the API cannot show. Plain SQL, so it reads either provider.</summary>
public static class Database
{
    /// <summary>The first value of the first row; 0 when there is no row.</summary>
    public static long Scalar(TestDatabase database, string sql) => Rows(database, sql) is [var first, ..] ? first[0] : 0;

    /// <summary>Every row of <paramref name="sql"/>, its values as numbers: SQLite reads Int64 where PostgreSQL reads int or bigint.</summary>
    public static IReadOnlyList<long[]> Rows(TestDatabase database, string sql)
    {
        ArgumentNullException.ThrowIfNull(database);
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<long[]>();
        while (reader.Read())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture))]);
        }

        return rows;
    }

    /// <summary>A two-column query's rows as a map from the first column's text to the second column's number.</summary>
    public static IReadOnlyDictionary<string, long> CountsBy(TestDatabase database, string sql)
    {
        ArgumentNullException.ThrowIfNull(database);
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.IsDBNull(0) ? "(none)" : reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    public static long SettledImages(TestDatabase database) => Scalar(database, "SELECT COUNT(*) FROM images WHERE state IN (2, 3)");

    /// <summary>
    /// Jobs whose stored counters or image rows disagree: a counter counted twice, an image row
    /// missing from a half-written submit, or a settled job with unsettled images.
    /// </summary>
    public static IReadOnlyList<string> InconsistentJobs(TestDatabase database)
    {
        const string sql = """
            SELECT j.id, j.status, j.total_images, j.succeeded_images, j.failed_images,
                   (SELECT COUNT(*) FROM images i WHERE i.job_id = j.id),
                   (SELECT COUNT(*) FROM images i WHERE i.job_id = j.id AND i.state = 2),
                   (SELECT COUNT(*) FROM images i WHERE i.job_id = j.id AND i.state = 3),
                   (SELECT COUNT(*) FROM images i WHERE i.job_id = j.id AND i.state IN (0, 1))
            FROM jobs j
            """;
        var problems = new List<string>();
        foreach (var row in Rows(database, sql))
        {
            var (id, status, total, succeeded, failed) = (row[0], row[1], row[2], row[3], row[4]);
            var (rows, succeededRows, failedRows, unsettledRows) = (row[5], row[6], row[7], row[8]);
            if (total != rows || succeeded != succeededRows || failed != failedRows || (status != 0 && unsettledRows != 0))
            {
                problems.Add($"job {id}: status {status}, counters {total}/{succeeded}/{failed}, rows {rows}/{succeededRows}/{failedRows}, unsettled {unsettledRows}");
            }
        }

        return problems;
    }
}
