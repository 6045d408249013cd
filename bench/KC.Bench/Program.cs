using System.Globalization;
using System.Text;
using KC.Bench;
using KC.Bench.Reporting;
using KC.Bench.Scenarios;

// Exit codes: 0 done (whether or not targets were met), 1 a real error, 2 unusable arguments.
var repositoryRoot = FindRepositoryRoot();
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var options = BenchOptions.Parse(args, repositoryRoot, out var error);
if (options is null)
{
    Console.Error.WriteLine($"error: {error}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var machine = MachineInfo.Read();
var command = "dotnet run -c Release --project bench/KC.Bench --" + string.Concat(options.Arguments.Select(a => " " + Quote(a)));
Console.WriteLine($"KC benchmark: {(options.Quick ? "quick sizes" : "full sizes")}; {string.Join(", ", options.Scenarios).ToLowerInvariant()}; {options.Runs} run(s)");
Console.WriteLine($"Machine: {machine.Describe()}; load average {machine.LoadAverage}");
if (options.ExtraServiceSettings.Count > 0)
{
    Console.WriteLine($"Extra service settings: {string.Join(", ", options.ExtraServiceSettings.Select(s => $"{s.Key}={s.Value}"))}");
}

if (MachineInfo.CurrentLoad() > machine.Cores)
{
    Console.WriteLine("Warning: the machine is already busy; timings will be lower than on an idle one.");
}

BenchLog.Start();
var table = new ResultTable();
var storeCount = 0;
var images = "";
BenchEnvironment? environment = null;
try
{
    environment = await BenchEnvironment.StartAsync(options, stop.Token);
    storeCount = environment.StoreIds.Count;
    images = $"photos: {environment.Photos.DescribeBodies()}; tiny: {environment.Tiny.DescribeBodies()}"
        + (environment.PhonePhotos is { } phonePhotos ? $"; {phonePhotos.Describe()}" : "");
    Console.WriteLine($"Images: {images}");
    for (var run = 1; run <= options.Runs; run++)
    {
        if (options.Runs > 1)
        {
            BenchLog.Line($"run {run} of {options.Runs}");
        }

        var rows = new List<ResultRow>();
        foreach (var scenario in options.Scenarios)
        {
            rows.AddRange(await RunAsync(scenario, environment, stop.Token));
        }

        rows.AddRange(PeakRssOfAllRuns(rows));
        table.AddRun(rows);
    }

    if (environment.DescribeOtlp() is { } otlp)
    {
        BenchLog.Line(otlp);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception ex)
{
    // A failure of the benchmark itself needs its stack; one of the service needs only its message.
    Console.Error.WriteLine(ex is BenchFailureException ? $"error: {ex.Message}" : $"error: {ex}");
    if (environment?.LastServiceOutput is { Length: > 0 } output)
    {
        Console.Error.WriteLine("Last lines of the service:");
        Console.Error.WriteLine(output);
    }

    return 1;
}
finally
{
    if (environment is not null)
    {
        await environment.DisposeAsync();
    }
}

Console.WriteLine();
Console.Write(table.ToPlainText());
Console.WriteLine();
Console.WriteLine($"Targets met: {table.TargetsJudged - table.TargetsMissed} of {table.TargetsJudged}"
    + (options.Quick ? " (quick sizes: the targets are set for the full sizes, so this is only indicative)" : ""));

Directory.CreateDirectory(Path.GetDirectoryName(options.OutputPath)!);
await File.WriteAllTextAsync(options.OutputPath, Markdown(options, machine, command, storeCount, images, table));
Console.WriteLine($"Written to {options.OutputPath}");
return 0;

static Task<IReadOnlyList<ResultRow>> RunAsync(Scenario scenario, BenchEnvironment environment, CancellationToken cancellationToken) => scenario switch
{
    Scenario.Efficiency => EfficiencyScenario.RunAsync(environment, cancellationToken),
    Scenario.Queue => QueueOverheadScenario.RunAsync(environment, cancellationToken),
    Scenario.Submit => SubmitLatencyScenario.RunAsync(environment, cancellationToken),
    Scenario.Status => StatusUnderLoadScenario.RunAsync(environment, cancellationToken),
    Scenario.Fairness => FairnessScenario.RunAsync(environment, cancellationToken),
    Scenario.Memory => MemoryScenario.RunAsync(environment, cancellationToken),
    Scenario.Scale => ScaleScenario.RunAsync(environment, cancellationToken),
    Scenario.Photos => PhotosScenario.RunAsync(environment, cancellationToken),
    Scenario.Dashboard => DashboardScenario.RunAsync(environment, cancellationToken),
    _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "unknown scenario"),
};

// The 300 MiB target holds for every run, not only the memory scenario's.
static IEnumerable<ResultRow> PeakRssOfAllRuns(List<ResultRow> rows)
{
    var highest = rows.Where(r => r.PeakRssMib is not null).MaxBy(r => r.PeakRssMib);
    if (highest is null)
    {
        yield break;
    }

    yield return new ResultRow(
        "Resources",
        "every service run above",
        "max peak RSS MiB",
        highest.PeakRssMib!.Value,
        "0",
        Target.Maximum(300),
        Notes: $"highest: {highest.Scenario}, {highest.Workload}");
}

static string Markdown(BenchOptions options, MachineInfo machine, string command, int storeCount, string images, ResultTable table)
{
    var storeMaster = string.Create(CultureInfo.InvariantCulture, $"{options.StoreMasterPath ?? "the bundled sample"} ({storeCount:#,0} stores)");
    var text = new StringBuilder();
    text.Append("# KC benchmark results\n\n");
    text.Append(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
    text.Append(CultureInfo.InvariantCulture, $"- Command: `{command}`\n");
    text.Append(CultureInfo.InvariantCulture, $"- Sizes: {(options.Quick ? "quick (small; the targets are set for the full sizes)" : "full (the issue's)")}; repetitions: {table.Runs}\n");
    text.Append(CultureInfo.InvariantCulture, $"- Machine: {machine.Describe()}\n");
    text.Append(CultureInfo.InvariantCulture, $"- Load average at start: {machine.LoadAverage}\n");
    text.Append(CultureInfo.InvariantCulture, $"- Store master: {storeMaster}; {JobPayload.ImagesPerVisit} images per visit; SQLite (the scale scenario: PostgreSQL, and SQLite for contrast); images from a local server in the benchmark process\n");
    text.Append(CultureInfo.InvariantCulture, $"- Images: {images}\n");
    if (options.ExtraServiceSettings.Count > 0)
    {
        text.Append(CultureInfo.InvariantCulture, $"- Extra service settings: {string.Join(", ", options.ExtraServiceSettings.Select(s => $"`{s.Key}={s.Value}`"))}\n");
    }

    text.Append('\n');
    text.Append(table.ToMarkdown());
    text.Append('\n');
    text.Append("Efficiency = achieved images/s ÷ (S ÷ mean GPU time), where S is `Processing:MaxConcurrency` ");
    text.Append("and the mean GPU time is (min + max) / 2; 1.0 means every GPU slot was busy from the 201 to the last status poll. ");
    text.Append("Wall time runs from the submit's 201 to the first status poll (every 100 ms) that saw the job completed. ");
    text.Append("CPU µs/img is the CPU time of the service process (Service) or of the benchmark process, which hosts the image server (Bench), ");
    text.Append("over the same span, divided by the images. With repetitions a result reads median (min–max) and the other columns are medians.\n");
    if (options.Scenarios.Contains(Scenario.Scale))
    {
        text.Append("\nScale: one API node and N worker processes on one database; the bound is N × S ÷ mean GPU time, Service CPU is all the nodes together, ");
        text.Append("Peak RSS the largest of them, and the split is the images each worker settled in the measured job (`GET /api/nodes`). ");
        text.Append("Wake latency: from the 201 of a 1-image job on an idle cluster to the first status poll (every 5 ms) that saw it completed.\n");
    }

    if (options.Scenarios.Contains(Scenario.Photos))
    {
        text.Append("\nPhotos: MB = 10⁶ bytes. The loopback ceiling is this machine moving the same photos from the benchmark's image server to a plain client ");
        text.Append("that discards them, with no processing, at the connections the KC run it is compared with opens (2 × S, at most 256 to one host: Processing:MaxConnectionsPerHost); photos/s there is bytes/s ÷ the mean photo. ");
        text.Append("A KC run's MB/s is the bytes of its photos over its wall time; service CPU µs/MB is the service's CPU over the run divided by those MB.\n");
    }

    return text.ToString();
}

static string Quote(string argument) => argument.Contains(' ', StringComparison.Ordinal) ? $"\"{argument}\"" : argument;

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "KC.sln")))
        {
            return directory.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
