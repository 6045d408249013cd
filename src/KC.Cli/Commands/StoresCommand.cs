using System.CommandLine;

namespace KC.Cli.Commands;

/// <summary><c>kc stores import FILE</c>: upserts a store-master CSV and lists the rows it skipped.</summary>
internal static class StoresCommand
{
    public static Command Create(KcCommandLine commandLine)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The store-master CSV (header AreaCode,StoreName,StoreID or area_code,store_name,store_id)" }.AcceptExistingOnly();
        var import = new Command("import", "Upsert the store master from a CSV file: stores are added or updated, never deleted") { file };
        commandLine.SetAction(import, async (context, parsed, cancellationToken) =>
        {
            var path = parsed.GetValue(file)!;
            var result = await context.Client.ImportStoresAsync(path.FullName, cancellationToken);
            context.Terminal.Line($"Imported {path.Name}: {result.Inserted} inserted, {result.Updated} updated, {result.Unchanged} unchanged, {result.RejectedTotal} rejected.");
            if (result.Rejected.Count > 0)
            {
                var table = Terminal.Table("Line", "Reason");
                foreach (var row in result.Rejected)
                {
                    Terminal.Row(table, Terminal.Number(row.Line), row.Reason);
                }

                context.Terminal.Output.Write(table);
            }

            if (result.RejectedTotal > result.Rejected.Count)
            {
                context.Terminal.Line($"… and {result.RejectedTotal - result.Rejected.Count} more rejected rows.");
            }

            return ExitCodes.Ok;
        });
        return new Command("stores", "The store master") { import };
    }
}
