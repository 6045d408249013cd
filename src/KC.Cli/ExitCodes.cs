namespace KC.Cli;

/// <summary>What <c>kc</c> exits with, for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Done: the job completed (or is still going), the request was served.</summary>
    public const int Ok = 0;

    /// <summary>The job failed or was cancelled, or the service refused the request (its <c>error</c> sentence is printed).</summary>
    public const int Failed = 1;

    /// <summary>The command line, or the file it names, is wrong.</summary>
    public const int Usage = 2;

    /// <summary>The service cannot be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted (Ctrl+C) while waiting; the job goes on.</summary>
    public const int Interrupted = 130;
}

/// <summary>A mistake in what the user asked for, found after parsing (a file that is no job, say).</summary>
internal sealed class UsageException(string message) : Exception(message);
