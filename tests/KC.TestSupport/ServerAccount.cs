namespace KC.TestSupport;

/// <summary>
/// The account PostgreSQL's programs run as. PostgreSQL refuses to run as root, so a test run as
/// root hands them to an unprivileged user: <c>postgres</c> where the machine has one, else <c>nobody</c>.
/// </summary>
internal sealed class ServerAccount
{
    private ServerAccount(string? user)
    {
        User = user;
    }

    /// <summary>The user the programs run as; null for the current one.</summary>
    public string? User { get; }

    public static async Task<ServerAccount> ChooseAsync()
    {
        // On Unix, Environment.UserName is the name of the effective uid: "root" exactly when geteuid() is 0.
        if (Environment.UserName != "root")
        {
            return new ServerAccount(null);
        }

        var (exitCode, _) = await CommandLine.RunAsync("id", ["-u", "postgres"]).ConfigureAwait(false);
        return new ServerAccount(exitCode == 0 ? "postgres" : "nobody");
    }

    /// <summary>
    /// A new folder only this account can enter (mode 0700). For another user it goes under <c>/tmp</c>,
    /// as root's own temp folder may not be traversable by them.
    /// </summary>
    public async Task<string> CreateFolderAsync(string name)
    {
        var folder = Path.Combine(User is null ? Path.GetTempPath() : "/tmp", name);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (User is not null)
        {
            await CommandLine.RunCheckedAsync("chown", ["-R", $"{User}:", folder]).ConfigureAwait(false);
        }

        return folder;
    }

    /// <summary>Runs <paramref name="program"/> as this account, in <paramref name="workingDirectory"/> (which it must be able to enter).</summary>
    public Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var (file, all) = AsUser(program, arguments);
        return CommandLine.RunAsync(file, all, workingDirectory);
    }

    /// <summary>As <see cref="RunAsync"/>, but a non-zero exit code throws with the program's output.</summary>
    public Task<string> RunCheckedAsync(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var (file, all) = AsUser(program, arguments);
        return CommandLine.RunCheckedAsync(file, all, workingDirectory);
    }

    private (string Program, IEnumerable<string> Arguments) AsUser(string program, IEnumerable<string> arguments) =>
        User is null ? (program, arguments) : ("runuser", ["-u", User, "--", program, .. arguments]);
}
