using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace KC.TestSupport;

/// <summary>
/// A throwaway PostgreSQL server in a temporary folder, listening on a free loopback port, tuned
/// for tests rather than durability. Tests take a fresh database each from the one server the
/// test process shares, so they stay isolated without paying a server start each.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string Superuser = "kc";
    private const int StartAttempts = 3;

    private static readonly PostgresBinaries? Binaries = PostgresBinaries.Locate();

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly PostgresBinaries _binaries;
    private readonly ServerAccount _account;
    private readonly string _folder;
    private int _stopped;

    private PostgresServer(PostgresBinaries binaries, ServerAccount account, string folder)
    {
        _binaries = binaries;
        _account = account;
        _folder = folder;
    }

    /// <summary>Why no server can be started here, for <c>Assert.Ignore</c>; null when one can.</summary>
    public static string? UnavailableReason => Binaries is null ? PostgresBinaries.MissingReason : null;

    public int Port { get; private set; }

    /// <summary>The temporary folder holding the data, the socket and the log; removed when the server stops.</summary>
    public string Folder => _folder;

    private string DataFolder => Path.Combine(_folder, "data");

    private string LogFile => Path.Combine(_folder, "postgres.log");

    /// <summary>
    /// The server this test process shares, started on first use. Stop it with <see cref="StopSharedAsync"/>
    /// after the last test; process exit stops it otherwise, as a last resort.
    /// </summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>Stops the shared server if it was started, and started well; nothing otherwise.</summary>
    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await (await Shared.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a server of the caller's own; it is stopped on dispose, or at process exit at the latest.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binaries = Binaries ?? throw new InvalidOperationException(PostgresBinaries.MissingReason);
        var account = await ServerAccount.ChooseAsync().ConfigureAwait(false);
        var folder = await account.CreateFolderAsync($"kc-pg-{Guid.NewGuid():N}").ConfigureAwait(false);
        var server = new PostgresServer(binaries, account, folder);
        AppDomain.CurrentDomain.ProcessExit += server.OnProcessExit;
        try
        {
            await server.InitializeAsync().ConfigureAwait(false);
            await server.ListenAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its Npgsql connection string.</summary>
    /// <param name="prefix">Put into the database's name, to tell whose it is when looking at the server.</param>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var name = $"kc_{Tag(prefix)}{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {Quote(name)}").ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, cutting off whoever is still connected.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        using (var connection = new NpgsqlConnection(connectionString))
        {
            // The pool would otherwise hand out connections the drop has killed.
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAsync($"DROP DATABASE IF EXISTS {Quote(database)} WITH (FORCE)").ConfigureAwait(false);
    }

    /// <summary>Stops the server, waiting for it to go, and removes its folder.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(waitForExit: true).ConfigureAwait(false);

    private async Task StopAsync(bool waitForExit)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;

        // Immediate: nothing here is worth a checkpoint, and the folder goes next.
        await _account.RunAsync(
            _binaries.PgCtl,
            ["stop", "-D", DataFolder, "-m", "immediate", waitForExit ? "--wait" : "--no-wait"],
            _folder).ConfigureAwait(false);
        Directory.Delete(_folder, recursive: true);
    }

    private string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = Superuser,
        Pooling = true,
    }.ConnectionString;

    /// <summary>A new cluster: superuser <c>kc</c> without a password, and the C locale so no machine locale is needed.</summary>
    private async Task InitializeAsync() => await _account.RunCheckedAsync(
        _binaries.InitDb,
        ["-D", DataFolder, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
        _folder).ConfigureAwait(false);

    /// <summary>
    /// Starts the server on a free port. Another process can take the port between the probe and
    /// the start, so a failed start is tried again on a new port before giving up.
    /// </summary>
    private async Task ListenAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var (exitCode, output) = await _account.RunAsync(
                _binaries.PgCtl,
                ["start", "-w", "-t", "60", "-D", DataFolder, "-l", LogFile, "-o", ServerOptions()],
                _folder).ConfigureAwait(false);
            if (exitCode == 0)
            {
                return;
            }

            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on port {Port} (pg_ctl exit code {exitCode}):\n{output}\n--- end of {LogFile} ---\n{LogTail()}");
            }
        }
    }

    /// <summary>Loopback only, a private socket folder, and no durability: a crash loses nothing a test needs.</summary>
    private string ServerOptions() => string.Join(' ', new Dictionary<string, string>
    {
        ["port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["listen_addresses"] = IPAddress.Loopback.ToString(),
        ["unix_socket_directories"] = _folder,
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",

        // Every test class runs a service with its own connection pool.
        ["max_connections"] = "500",
    }.Select(setting => $"-c {setting.Key}={setting.Value}"));

    private async Task ExecuteAsync(string sql)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false };
        var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }

    private string LogTail() =>
        File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(30)) : "(no log written)";

    /// <summary>
    /// The last resort, for a server nobody disposed. Exit handlers get only a moment (the test
    /// runner kills its host about 100 ms after the run), so this one signals the server without
    /// waiting for it; told to quit at once, its processes are gone right after.
    /// </summary>
    private void OnProcessExit(object? sender, EventArgs e) => StopAsync(waitForExit: false).GetAwaiter().GetResult();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The prefix as a name part: lower-case letters, digits and underscores only, short enough for the 63-byte limit.</summary>
    private static string Tag(string? prefix)
    {
        var tag = NotNamePart().Replace((prefix ?? string.Empty).ToLowerInvariant(), "_");
        return tag.Length == 0 ? string.Empty : $"{tag[..Math.Min(tag.Length, 20)]}_";
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotNamePart();
}
