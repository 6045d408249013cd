using System.Text;

namespace KC.Bench;

/// <summary>The store ids of a store-master CSV, so every visit of a workload names a known store.</summary>
internal static class StoreMasterIds
{
    public static IReadOnlyList<string> Load(string csvPath)
    {
        var rows = ParseCsv(File.ReadAllText(csvPath));
        if (rows.Count < 2)
        {
            throw new InvalidDataException($"{csvPath}: no store rows.");
        }

        var header = rows[0].Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var column = header.FindIndex(h => h.Equals("StoreID", StringComparison.OrdinalIgnoreCase) || h.Equals("store_id", StringComparison.OrdinalIgnoreCase));
        if (column < 0)
        {
            throw new InvalidDataException($"{csvPath}: the header has no StoreID column.");
        }

        var ids = rows.Skip(1)
            .Where(row => row.Count > column && !string.IsNullOrWhiteSpace(row[column]))
            .Select(row => row[column].Trim())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return ids.Count > 0 ? ids : throw new InvalidDataException($"{csvPath}: no store ids.");
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
