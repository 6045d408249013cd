using System.Globalization;

namespace KC.Bench.Scenarios;

/// <summary>Shared wording of the table's workload column.</summary>
internal static class Workloads
{
    public static string Describe(int images, ServiceSettings settings) =>
        string.Create(CultureInfo.InvariantCulture, $"{images:#,0} images, {settings.Describe()}");
}
