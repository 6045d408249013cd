using System.CommandLine;

namespace KC.Cli.Commands;

/// <summary><c>kc status ID</c>: the job's state and counts, and its failing stores once it failed.</summary>
internal static class StatusCommand
{
    public static Command Create(KcCommandLine commandLine)
    {
        var id = KcCommandLine.JobIdArgument();
        var command = new Command("status", "Show a job's status: exit 0 while ongoing or completed, 1 when failed or cancelled") { id };
        commandLine.SetAction(command, async (context, parsed, cancellationToken) =>
        {
            var status = await context.Client.GetStatusAsync(parsed.GetValue(id), cancellationToken);
            return SubmitCommand.Report(context.Terminal, status);
        });
        return command;
    }
}
