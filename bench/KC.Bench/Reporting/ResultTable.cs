using System.Globalization;
using System.Text;

namespace KC.Bench.Reporting;

/// <summary>
/// Rows of one or more repetitions, folded into one line per figure: the median, with min–max
/// when repeated. Targets are judged on the median.
/// </summary>
internal sealed class ResultTable
{
    private static readonly string[] Headers =
        ["Scenario", "Workload", "Metric", "Result", "Target", "Met", "Wall s", "Images/s", "Peak RSS MiB", "Service CPU µs/img", "Bench CPU µs/img", "Notes"];

    private readonly List<List<ResultRow>> _groups = [];

    public int Runs { get; private set; }

    public void AddRun(IEnumerable<ResultRow> rows)
    {
        Runs++;
        foreach (var row in rows)
        {
            var group = _groups.Find(g => g[0].Scenario == row.Scenario && g[0].Workload == row.Workload && g[0].Metric == row.Metric);
            if (group is null)
            {
                _groups.Add([row]);
            }
            else
            {
                group.Add(row);
            }
        }
    }

    /// <summary>Whether any target was missed, for the summary line; never an exit code.</summary>
    public int TargetsMissed => _groups.Count(g => g[0].Target is { } target && !target.IsMetBy(Median(g.Select(r => r.Value))));

    public int TargetsJudged => _groups.Count(g => g[0].Target is not null);

    public string ToPlainText()
    {
        var cells = Cells();
        var widths = Enumerable.Range(0, Headers.Length).Select(c => cells.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, index) in cells.Select((row, index) => (row, index)))
        {
            text.AppendJoin("  ", row.Select((cell, c) => IsNumeric(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).Append('\n');
            if (index == 0)
            {
                text.AppendJoin("  ", widths.Select(w => new string('-', w))).Append('\n');
            }
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var cells = Cells();
        var text = new StringBuilder();
        foreach (var (row, index) in cells.Select((row, index) => (row, index)))
        {
            text.Append("| ").AppendJoin(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
            if (index == 0)
            {
                text.Append('|').AppendJoin('|', Headers.Select((_, c) => IsNumeric(c) ? " ---: " : " --- ")).Append("|\n");
            }
        }

        return text.ToString();
    }

    private static bool IsNumeric(int column) => column is 3 or >= 6 and <= 10;

    private List<string[]> Cells()
    {
        var cells = new List<string[]> { Headers };
        foreach (var group in _groups)
        {
            var first = group[0];
            var median = Median(group.Select(r => r.Value));
            var result = Format(median, first.Format);
            if (group.Count > 1)
            {
                result += $" ({Format(group.Min(r => r.Value), first.Format)}–{Format(group.Max(r => r.Value), first.Format)})";
            }

            cells.Add(
            [
                first.Scenario,
                first.Workload,
                first.Metric,
                result,
                first.Target?.Describe(first.Format) ?? "",
                first.Target is null ? "" : first.Target.IsMetBy(median) ? "yes" : "NO",
                MedianOf(group, r => r.WallSeconds, "0.0"),
                MedianOf(group, r => r.ImagesPerSecond, "#,0"),
                MedianOf(group, r => r.PeakRssMib, "0"),
                MedianOf(group, r => r.ServiceCpuMicrosPerImage, "#,0"),
                MedianOf(group, r => r.BenchCpuMicrosPerImage, "#,0"),
                group[^1].Notes,
            ]);
        }

        return cells;
    }

    private static string MedianOf(List<ResultRow> group, Func<ResultRow, double?> value, string format)
    {
        var values = group.Select(value).OfType<double>().ToList();
        return values.Count == 0 ? "" : Format(Median(values), format);
    }

    private static string Format(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
