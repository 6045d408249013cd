using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using KC.Client;

namespace KC.Cli;

/// <summary>
/// Reads a job file: the body of <c>POST /api/submit</c>, as curl would send it. A member kc does
/// not know would be lost on the way, so it is refused here, named the way the service names fields.
/// </summary>
internal static partial class JobFile
{
    private static readonly JsonSerializerOptions Options = new(KcJson.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static async Task<JobSubmission> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = file.OpenRead();
            return await JsonSerializer.DeserializeAsync<JobSubmission>(stream, Options, cancellationToken)
                ?? throw new UsageException($"{file.Name}: is JSON null, not a job");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{file.Name}: {Describe(e)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{file.Name}: cannot be read: {e.Message}");
        }
    }

    /// <summary><c>visits[0].imageUrl: is not a known member; did you mean image_url?</c>, in the service's words where it has them.</summary>
    private static string Describe(JsonException e)
    {
        var path = e.Path is null or "$" ? null : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var message = Location().Replace(e.Message, string.Empty).Trim();
        if (Unmapped().Match(message) is { Success: true } unmapped)
        {
            var member = unmapped.Groups["member"].Value;
            var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(member);
            return $"{path ?? member}: is not a known member{(snake != member ? $"; did you mean {snake}?" : string.Empty)}";
        }

        if (Duplicate().Match(message) is { Success: true } duplicate)
        {
            return $"{path ?? duplicate.Groups["member"].Value}: is given twice";
        }

        if (Missing().Match(message) is { Success: true } missing)
        {
            var names = missing.Groups["members"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.Trim('\''));
            return string.Join("; ", names.Select(n => $"{(path is null ? n : $"{path}.{n}")}: is required"));
        }

        var line = e.LineNumber is { } number ? $"line {number + 1}: " : string.Empty;
        return path is null ? $"{line}{message}" : $"{path}: {message}";
    }

    [GeneratedRegex(@"\s*Path: .*$", RegexOptions.Singleline)]
    private static partial Regex Location();

    [GeneratedRegex(@"^The JSON property '(?<member>[^']*)' could not be mapped")]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"^Duplicate property '(?<member>[^']*)'")]
    private static partial Regex Duplicate();

    [GeneratedRegex(@"missing required properties including: (?<members>.*?)\.?$")]
    private static partial Regex Missing();
}
