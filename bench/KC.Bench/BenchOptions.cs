using System.Globalization;

namespace KC.Bench;

internal enum Scenario
{
    Efficiency,
    Queue,
    Submit,
    Status,
    Fairness,
    Memory,
    Scale,
    Photos,
    Dashboard,
}

/// <summary>The command line: which scenarios, at which sizes, how often, and where the table goes.</summary>
internal sealed record BenchOptions(
    bool Quick,
    IReadOnlyList<Scenario> Scenarios,
    string OutputPath,
    string? StoreMasterPath,
    int Runs,
    IReadOnlyList<KeyValuePair<string, string>> ExtraServiceSettings,
    IReadOnlyList<string> Arguments,
    bool Tracing = false)
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/KC.Bench -- [options]

          --quick                 every scenario at small sizes (a minute or two; what CI runs)
          --scenario NAME[,NAME]  efficiency | queue | submit | status | fairness | memory | scale | photos | dashboard | all
                                  (default all)
          --out PATH              Markdown table (default bench/results/latest.md, latest-quick.md with --quick)
          --store-master PATH     store-master CSV for the service and the jobs (default: the bundled sample)
          --runs N                repeat the selection N times; results show median (min–max)
          --set KEY=VALUE         extra service setting for every run, e.g. Processing:OutcomeFlushMilliseconds=20
                                  (repeatable; applied after the scenario's own, so it can override them)
          --tracing               every service run exports traces (and metrics) over OTLP/HTTP to a local sink
                                  in this process, so a span is made for every image and step
          --help                  this text
        """;

    /// <summary>Parses the arguments; null with a message when they are not usable.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, string repositoryRoot, out string? error)
    {
        var quick = false;
        var tracing = false;
        var scenarios = new List<Scenario>();
        string? output = null;
        string? storeMaster = null;
        var runs = 1;
        var extra = new List<KeyValuePair<string, string>>();
        error = null;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--quick":
                    quick = true;
                    break;
                case "--tracing":
                    tracing = true;
                    break;
                case "--scenario" when i + 1 < args.Count:
                    foreach (var name in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
                        {
                            scenarios.AddRange(Enum.GetValues<Scenario>());
                        }
                        else if (Enum.TryParse<Scenario>(name, ignoreCase: true, out var scenario) && Enum.IsDefined(scenario))
                        {
                            scenarios.Add(scenario);
                        }
                        else
                        {
                            error = $"unknown scenario '{name}'";
                            return null;
                        }
                    }

                    break;
                case "--out" when i + 1 < args.Count:
                    output = Path.GetFullPath(args[++i]);
                    break;
                case "--store-master" when i + 1 < args.Count:
                    storeMaster = Path.GetFullPath(args[++i]);
                    if (!File.Exists(storeMaster))
                    {
                        error = $"--store-master: no file at {storeMaster}";
                        return null;
                    }

                    break;
                case "--runs" when i + 1 < args.Count:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1)
                    {
                        error = "--runs: expected a positive integer";
                        return null;
                    }

                    break;
                case "--set" when i + 1 < args.Count:
                    var setting = args[++i];
                    var equals = setting.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        error = $"--set: expected KEY=VALUE, got '{setting}'";
                        return null;
                    }

                    extra.Add(new(setting[..equals], setting[(equals + 1)..]));
                    break;
                default:
                    error = $"unknown or incomplete argument '{arg}'";
                    return null;
            }
        }

        if (scenarios.Count == 0)
        {
            scenarios.AddRange(Enum.GetValues<Scenario>());
        }

        // A quick run must not overwrite the last full result a developer may want to quote.
        output ??= Path.Combine(repositoryRoot, "bench", "results", quick ? "latest-quick.md" : "latest.md");
        return new BenchOptions(quick, [.. scenarios.Distinct().Order()], output, storeMaster, runs, extra, [.. args], tracing);
    }
}
