namespace KC.Infrastructure.Persistence;

/// <summary>The <c>Database</c> section and <c>ConnectionStrings:KC</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string ConnectionStringName = "KC";
    public const string DefaultSqliteConnectionString = "Data Source=./data/kc.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite: how long a writer waits for another's lock before failing.</summary>
    public int BusyTimeoutMilliseconds { get; set; } = 30_000;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
