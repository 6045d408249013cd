using System.Globalization;

namespace KC.TestSupport;

/// <summary>
/// The PostgreSQL programs a throwaway server needs. Distribution packages keep them out of PATH
/// (under <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>), so both places are searched.
/// </summary>
internal sealed record PostgresBinaries(string InitDb, string PgCtl, string Postgres)
{
    public const string MissingReason =
        "PostgreSQL tests skipped: no initdb/pg_ctl/postgres on PATH or under /usr/lib/postgresql/*/bin";

    private const string DistributionRoot = "/usr/lib/postgresql";

    /// <summary>The programs from PATH, else from the highest installed version; null when neither has all three.</summary>
    public static PostgresBinaries? Locate() => FromPath() ?? FromDistribution();

    private static PostgresBinaries? FromPath()
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        string? Find(string name) => folders.Select(f => Path.Combine(f, name)).FirstOrDefault(IsProgram);

        return Find("initdb") is { } initDb && Find("pg_ctl") is { } pgCtl && Find("postgres") is { } postgres
            ? new PostgresBinaries(initDb, pgCtl, postgres)
            : null;
    }

    private static PostgresBinaries? FromDistribution()
    {
        if (!Directory.Exists(DistributionRoot))
        {
            return null;
        }

        return Directory.GetDirectories(DistributionRoot)
            .Select(version => (Version: VersionOf(version), Bin: Path.Combine(version, "bin")))
            .OrderByDescending(v => v.Version)
            .Select(v => InFolder(v.Bin))
            .FirstOrDefault(b => b is not null);
    }

    private static PostgresBinaries? InFolder(string folder)
    {
        var binaries = new PostgresBinaries(Path.Combine(folder, "initdb"), Path.Combine(folder, "pg_ctl"), Path.Combine(folder, "postgres"));
        return IsProgram(binaries.InitDb) && IsProgram(binaries.PgCtl) && IsProgram(binaries.Postgres) ? binaries : null;
    }

    /// <summary>A file there, and through any links a file there too: a link left behind by an uninstalled package is no program.</summary>
    private static bool IsProgram(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && file.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: false };
    }

    /// <summary>Folder names are versions ("9.6", "15"); compared as numbers so 15 outranks 9.6.</summary>
    private static decimal VersionOf(string folder) =>
        decimal.TryParse(Path.GetFileName(folder), NumberStyles.Number, CultureInfo.InvariantCulture, out var version) ? version : -1;
}
