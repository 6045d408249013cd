using System.Numerics;
using System.Runtime.CompilerServices;
using CsvHelper;
using KC.Application.Common.Exceptions;
using KC.Application.Common.Interfaces;
using KC.Domain.Stores;

namespace KC.Infrastructure.StoreMaster;

/// <summary>A store as read from the master; <see cref="Line"/> is the physical line its record starts on.</summary>
public sealed record StoreMasterRow(int Line, string StoreId, string StoreName, string AreaCode);

/// <summary>
/// Reads a store-master CSV (RFC 4180) as a stream, one record at a time. A problem in one record
/// rejects that record and reading goes on; only a file whose header cannot be used, or a record
/// longer than <see cref="MaxRecordBytes"/>, throws <see cref="StoreMasterFormatException"/>.
/// </summary>
public static class StoreMasterCsvParser
{
    /// <summary>
    /// The longest record read, in bytes (one the reader already holds may be up to about twice as long).
    /// A store's three fields fit in a few KiB; what is longer is an unclosed quote swallowing the rest of
    /// the file, or not a store master at all, and without a cap the reader would hold all of it in memory.
    /// </summary>
    public const int MaxRecordBytes = 1024 * 1024;

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
        MaxRecordSize = MaxRecordBytes,

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

    /// <summary>
    /// The usable stores of <paramref name="csv"/>, in file order, read as they are needed; every record
    /// refused goes to <paramref name="rejected"/>. The header is read and checked on the first
    /// <c>MoveNextAsync</c>, so a file with an unusable header throws before any store is returned.
    /// Reads UTF-8; a byte order mark (UTF-8, or UTF-16 which is then transcoded) is honoured and stripped.
    /// </summary>
    /// <remarks>
    /// Memory does not grow with the file, except for the ids of the rows kept so far, which a later
    /// row with the same id is checked against.
    /// </remarks>
    public static async IAsyncEnumerable<StoreMasterRow> ParseAsync(
        Stream csv,
        RejectedRows rejected,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(rejected);
        var malformed = new MalformedRecords(rejected);
        var reader = CsvReader.Create(csv, BaseOptions with { OnMalformedRecord = malformed.Add }, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            var columns = await ReadHeaderAsync(reader, malformed, cancellationToken).ConfigureAwait(false);
            var fieldCount = reader.Headers.Count;
            var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
            var problems = new List<string>(3);

            while (await ReadAsync(reader, cancellationToken).ConfigureAwait(false))
            {
                var line = ToLine(reader.LineNumber);
                if (reader.FieldCount != fieldCount)
                {
                    rejected.Add(
                        line,
                        (Expected: fieldCount, Found: reader.FieldCount, Line: line, Breaks: LineBreaks(reader.RawRecord)),
                        static s => $"expected {s.Expected} fields, found {s.Found}{Extent(s.Line, s.Breaks)}");
                    continue;
                }

                var storeId = reader.GetString(columns.StoreId).Trim();
                var storeName = reader.GetString(columns.StoreName).Trim();
                var areaCode = reader.GetString(columns.AreaCode).Trim();

                problems.Clear();
                CheckLength(problems, "store_id", storeId, Store.MaxIdLength, required: true);
                CheckLength(problems, "store_name", storeName, Store.MaxNameLength, required: true);
                CheckLength(problems, "area_code", areaCode, Store.MaxAreaCodeLength, required: false);
                if (problems.Count > 0)
                {
                    rejected.Add(line, problems, static p => string.Join("; ", p));
                    continue;
                }

                // Only kept rows claim an id, so a valid row is not refused because an earlier, rejected one used its id.
                if (!firstSeen.TryAdd(storeId, line))
                {
                    rejected.Add(line, (Id: storeId, First: firstSeen[storeId]), static d => $"duplicate store_id {d.Id} (first seen on line {d.First})");
                    continue;
                }

                yield return new StoreMasterRow(line, storeId, storeName, areaCode);
            }
        }
    }

    private static async Task<(int StoreId, int StoreName, int AreaCode)> ReadHeaderAsync(CsvReader reader, MalformedRecords malformed, CancellationToken cancellationToken)
    {
        await Guarded(reader.ReadHeaderAsync(cancellationToken)).ConfigureAwait(false);
        var header = reader.Headers;

        // A skipped malformed header would leave the reader taking the first data record as the header.
        var headerLine = header.Count == 0 ? long.MaxValue : reader.LineNumber;
        if (malformed.First is { } first && first.LineNumber <= headerLine)
        {
            throw new StoreMasterFormatException(
                $"The header on line {first.LineNumber} is malformed ({Describe(first)}): '{first.RawRecord}'.");
        }

        if (header.Count == 0)
        {
            throw new StoreMasterFormatException("The store master is empty: no header row was found.");
        }

        return ResolveColumns(header);
    }

    private static async ValueTask<bool> ReadAsync(CsvReader reader, CancellationToken cancellationToken) =>
        await Guarded(reader.ReadAsync(cancellationToken)).ConfigureAwait(false);

    // The caller should see one exception type for a file that cannot be read on.
    private static async Task Guarded(ValueTask read)
    {
        try
        {
            await read.ConfigureAwait(false);
        }
        catch (CsvFormatException ex)
        {
            throw Unreadable(ex);
        }
    }

    private static async ValueTask<bool> Guarded(ValueTask<bool> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (CsvFormatException ex)
        {
            throw Unreadable(ex);
        }
    }

    private static StoreMasterFormatException Unreadable(CsvFormatException ex) => ex.LineNumber > 0
        ? new StoreMasterFormatException(
            $"The store master could not be read on from line {ex.LineNumber}: a record there is longer than {MaxRecordBytes} bytes, so no store can be read from it; an unclosed quote is the usual cause ({ex.Message}).",
            ex)
        : new StoreMasterFormatException($"The store master could not be read: {ex.Message}", ex);

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

    // Counts the line breaks inside a record, which then spans that many more lines.
    private static int LineBreaks<T>(ReadOnlySpan<T> raw)
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

        return breaks;
    }

    // Names the lines a rejected record covers when it spans several, since those lines yield no row of their own.
    private static string Extent(int line, int breaks) => breaks > 0 ? $" (lines {line}-{line + breaks})" : string.Empty;

    private static int ToLine(long lineNumber) => checked((int)lineNumber);

    /// <summary>
    /// Turns the records the reader skips as malformed into rejected rows as it reports them, keeping
    /// only the first whole, which may be the header.
    /// </summary>
    private sealed class MalformedRecords(RejectedRows rejected)
    {
        public CsvMalformedRecord? First { get; private set; }

        public void Add(CsvMalformedRecord record)
        {
            First ??= record;
            var line = ToLine(record.LineNumber);
            rejected.Add(line, record, static r => Describe(r) + Extent(ToLine(r.LineNumber), LineBreaks(r.RawRecord.AsSpan())));
        }
    }
}
