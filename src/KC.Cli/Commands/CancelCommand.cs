using System.CommandLine;

namespace KC.Cli.Commands;

/// <summary><c>kc cancel ID</c>: cancels an ongoing job; the service refuses a finished one.</summary>
internal static class CancelCommand
{
    public static Command Create(KcCommandLine commandLine)
    {
        var id = KcCommandLine.JobIdArgument();
        var command = new Command("cancel", "Cancel an ongoing job: pending images never start, images in flight stop") { id };
        commandLine.SetAction(command, async (context, parsed, cancellationToken) =>
        {
            var status = await context.Client.CancelAsync(parsed.GetValue(id), cancellationToken);
            context.Terminal.Line(Terminal.Summary(status.JobId, status.Status, status.Progress));
            return ExitCodes.Ok;
        });
        return command;
    }
}
