using System.Numerics;
using CsvHelper;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Domain.Stores;

namespace KC.Infrastructure.StoreMaster;

/// <summary>A store as read from the master; <see cref="Line"/> is the physical line its record starts on.</summary>
public sealed record StoreMasterRow(int Line, string StoreId, string StoreName, string AreaCode);

/// <summary>The usable stores of a master file and, ordered by line, the records that were refused.</summary>
public sealed record StoreMasterParseResult(IReadOnlyList<StoreMasterRow> Rows, IReadOnlyList<RejectedRow> Rejected);

/// <summary>
/// Reads a store-master CSV (RFC 4180). A problem in one record rejects that record and reading goes on;
/// only a file whose header cannot be used throws <see cref="StoreMasterFormatException"/>.
/// </summary>
public static class StoreMasterCsvParser
{
    // The canonical header name first; the snake_case alias is accepted as well.
    private static readonly (string Name, string Alias)[] RequiredColumns =
    [
        ("StoreID", "store_id"),
        ("StoreName", "store_name"),
        ("AreaCode", "area_code"),
    ];

    private static readonly CsvReaderOptions BaseOptions = CsvReaderOptions.Default with
    {
        // Detection could settle on ';' or '|' for a file whose names happen to contain them.
        Separator = ',',
        DetectSeparatorHint = false,
        HasHeader = true,
        Mode = CsvMode.Rfc4180,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,

        // Trimming outside the quotes reads `1, "A, B" ,RP1` as a quoted field instead of a stray quote,
        // and makes whitespace-only lines empty, so they are skipped like blank ones.
        TrimWhitespace = true,

        // Off by default; without it LineNumber throws.
        TrackLineNumbers = true,

        // Recover would silently repair bad quoting. Skip hands each such record to OnMalformedRecord,
        // where it becomes a rejected row. Field counts are checked here, to say what was expected.
        MalformedData = CsvMalformedDataHandling.Skip,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
    };

    public static StoreMasterParseResult Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Parse(options => CsvReader.Create(reader, options, leaveOpen: true));
    }

    /// <summary>Reads UTF-8; a byte order mark (UTF-8, or UTF-16 which is then transcoded) is honoured and stripped.</summary>
    public static StoreMasterParseResult Parse(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(options => CsvReader.Create(stream, options, leaveOpen: true));
    }

    private static StoreMasterParseResult Parse(Func<CsvReaderOptions, CsvReader> open)
    {
        var malformed = new List<CsvMalformedRecord>();
        var options = BaseOptions with { OnMalformedRecord = malformed.Add };
        try
        {
            using var csv = open(options);
            return Read(csv, malformed);
        }
        catch (CsvFormatException ex)
        {
            // Not expected with the options above, but the caller should see one exception type for an unreadable file.
            throw new StoreMasterFormatException($"The store master could not be read: {ex.Message}", ex);
        }
    }

    private static StoreMasterParseResult Read(CsvReader csv, List<CsvMalformedRecord> malformed)
    {
        var header = csv.Headers;
        var headerLine = header.Count == 0 ? long.MaxValue : csv.LineNumber;

        // A skipped malformed header would leave the reader taking the first data record as the header.
        var badHeader = malformed.FindIndex(m => m.LineNumber <= headerLine);
        if (badHeader >= 0)
        {
            var record = malformed[badHeader];
            throw new StoreMasterFormatException(
                $"The header on line {record.LineNumber} is malformed ({Describe(record)}): '{record.RawRecord}'.");
        }

        if (header.Count == 0)
        {
            throw new StoreMasterFormatException("The store master is empty: no header row was found.");
        }

        var columns = ResolveColumns(header);
        var rows = new List<StoreMasterRow>();
        var rejected = new List<RejectedRow>();
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>(3);

        while (csv.Read())
        {
            var line = ToLine(csv.LineNumber);
            if (csv.FieldCount != header.Count)
            {
                rejected.Add(new RejectedRow(line, $"expected {header.Count} fields, found {csv.FieldCount}{Extent(line, csv.RawRecord)}"));
                continue;
            }

            var storeId = csv.GetString(columns.StoreId).Trim();
            var storeName = csv.GetString(columns.StoreName).Trim();
            var areaCode = csv.GetString(columns.AreaCode).Trim();

            problems.Clear();
            CheckLength(problems, "store_id", storeId, Store.MaxIdLength, required: true);
            CheckLength(problems, "store_name", storeName, Store.MaxNameLength, required: true);
            CheckLength(problems, "area_code", areaCode, Store.MaxAreaCodeLength, required: false);
            if (problems.Count > 0)
            {
                rejected.Add(new RejectedRow(line, string.Join("; ", problems)));
                continue;
            }

            // Only kept rows claim an id, so a valid row is not refused because an earlier, rejected one used its id.
            if (!firstSeen.TryAdd(storeId, line))
            {
                rejected.Add(new RejectedRow(line, $"duplicate store_id {storeId} (first seen on line {firstSeen[storeId]})"));
                continue;
            }

            rows.Add(new StoreMasterRow(line, storeId, storeName, areaCode));
        }

        // Malformed records never reach the loop; the reader reported them as it went past.
        foreach (var record in malformed)
        {
            var line = ToLine(record.LineNumber);
            rejected.Add(new RejectedRow(line, Describe(record) + Extent(line, record.RawRecord.AsSpan())));
        }

        return new StoreMasterParseResult(rows, [.. rejected.OrderBy(r => r.Line)]);
    }

    private static (int StoreId, int StoreName, int AreaCode) ResolveColumns(IReadOnlyList<string> header)
    {
        var found = new int[RequiredColumns.Length];
        Array.Fill(found, -1);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim();
            for (var c = 0; c < RequiredColumns.Length; c++)
            {
                if (!name.Equals(RequiredColumns[c].Name, StringComparison.OrdinalIgnoreCase)
                    && !name.Equals(RequiredColumns[c].Alias, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // Two candidates for one column would make the choice between them arbitrary.
                if (found[c] >= 0)
                {
                    throw new StoreMasterFormatException(
                        $"The store master header names column {RequiredColumns[c].Name} twice (columns {found[c] + 1} and {i + 1}); header found: '{string.Join(',', header)}'.");
                }

                found[c] = i;
            }
        }

        var missing = Enumerable.Range(0, RequiredColumns.Length)
            .Where(c => found[c] < 0)
            .Select(c => $"{RequiredColumns[c].Name} (or {RequiredColumns[c].Alias})")
            .ToList();
        if (missing.Count > 0)
        {
            throw new StoreMasterFormatException(
                $"The store master header lacks the required column(s) {string.Join(", ", missing)}; header found: '{string.Join(',', header)}'.");
        }

        return (found[0], found[1], found[2]);
    }

    private static void CheckLength(List<string> problems, string column, string value, int maxLength, bool required)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                problems.Add($"blank {column}");
            }
        }
        else if (value.Length > maxLength)
        {
            problems.Add($"{column} longer than {maxLength} characters ({value.Length})");
        }
    }

    private static string Describe(CsvMalformedRecord record) => record.Reason switch
    {
        CsvMalformedReason.UnterminatedQuote => "unterminated quoted field: the quote is never closed, so everything after it to the end of the file was read as this one record",
        CsvMalformedReason.StrayQuote => "bad data: a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "bad data: text after the closing quote of a quoted field",
        _ => $"bad data: {record.Reason}",
    };

    // Names the lines a rejected record covers when it spans several, since those lines yield no row of their own.
    private static string Extent<T>(int line, ReadOnlySpan<T> raw)
        where T : IBinaryInteger<T>
    {
        var cr = T.CreateTruncating('\r');
        var lf = T.CreateTruncating('\n');
        var breaks = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            // CR, LF and CR LF each end one line, as the reader counts them.
            if (raw[i] == lf || (raw[i] == cr && (i + 1 == raw.Length || raw[i + 1] != lf)))
            {
                breaks++;
            }
        }

        // An unterminated quote keeps the file's final line break inside the record.
        if (raw.Length > 0 && (raw[^1] == lf || raw[^1] == cr))
        {
            breaks--;
        }

        return breaks > 0 ? $" (lines {line}-{line + breaks})" : string.Empty;
    }

    private static int ToLine(long lineNumber) => checked((int)lineNumber);
}
