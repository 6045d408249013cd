using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KC.Api.FunctionalTests.Infrastructure;

/// <summary>Reads the service's SQLite file directly, to check what the API cannot show.</summary>
public static class Database
{
    public static long Scalar(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    public static long SettledImages(string path) => Scalar(path, "SELECT COUNT(*) FROM images WHERE state IN (2, 3)");

    /// <summary>
    /// Jobs whose stored counters or image rows disagree: a counter counted twice, an image row
    /// missing from a half-written submit, or a settled job with unsettled images.
    /// </summary>
    public static IReadOnlyList<string> InconsistentJobs(string path)
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
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (id, status, total, succeeded, failed) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
            var (rows, succeededRows, failedRows, unsettledRows) = (reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8));
            if (total != rows || succeeded != succeededRows || failed != failedRows || (status != 0 && unsettledRows != 0))
            {
                problems.Add($"job {id}: status {status}, counters {total}/{succeeded}/{failed}, rows {rows}/{succeededRows}/{failedRows}, unsettled {unsettledRows}");
            }
        }

        return problems;
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }
}
