namespace KC.Infrastructure.StoreMaster;

/// <summary>The <c>StoreMaster</c> section.</summary>
public sealed class StoreMasterOptions
{
    public const string SectionName = "StoreMaster";

    /// <summary>The bundled sample master, copied beside the service's binaries.</summary>
    public static readonly string SamplePath = Path.Combine(AppContext.BaseDirectory, "SampleData", "store-master.csv");

    /// <summary>CSV upserted at start; empty means the bundled sample master.</summary>
    public string? CsvPath { get; set; }

    public string ResolvedCsvPath => string.IsNullOrWhiteSpace(CsvPath) ? SamplePath : Path.GetFullPath(CsvPath);
}
