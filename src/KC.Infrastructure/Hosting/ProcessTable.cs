using System.Diagnostics;

namespace KC.Infrastructure.Hosting;

/// <summary>Whether a process of this host is still running, as the operating system says.</summary>
internal static class ProcessTable
{
    /// <summary>
    /// True while a process with id <paramref name="processId"/> exists on this host and has not
    /// exited. A zombie (killed, not yet reaped by its parent) has exited: it holds no work.
    /// </summary>
    public static bool IsRunning(int processId)
    {
        if (processId <= 0)
        {
            return false;
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                // "pid (name) state …": the name may hold spaces and parentheses, the state follows the last ')'.
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var state = stat.LastIndexOf(')') is var end and >= 0 && end + 2 < stat.Length ? stat[end + 2] : 'R';
                return state is not ('Z' or 'X');
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It exists; we may just not read it.
                return true;
            }
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
