using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KC.Api.FunctionalTests.Platform;

/// <summary>
/// Checks JSON against the served OpenAPI document, the way a generated client would read it:
/// every member a value has is one its schema declares, every required member is there, and each
/// value is of a declared type (<c>null</c> only where the schema allows it). Covers what the
/// document uses: <c>$ref</c>, <c>type</c> (one or several), <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>oneOf</c>, <c>enum</c>, <c>maxProperties</c> and
/// the <c>int32</c>/<c>int64</c>/<c>date-time</c> formats.
/// </summary>
internal sealed class DocumentSchemas(JsonNode document)
{
    /// <summary>The documented response of <paramref name="method"/> <paramref name="pathTemplate"/>, or null when the status or media type is not listed.</summary>
    public JsonNode? ResponseSchema(string method, string pathTemplate, int status, string mediaType) =>
        document["paths"]?[pathTemplate]?[method.ToLowerInvariant()]?["responses"]?[status.ToString(CultureInfo.InvariantCulture)]?["content"]?[mediaType]?["schema"];

    /// <summary>Every way <paramref name="value"/> departs from <paramref name="schema"/>, by JSON path; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(JsonNode? value, JsonNode schema, string path = "$")
    {
        var problems = new List<string>();
        CheckInto(value, schema, path, problems);
        return problems;
    }

    private void CheckInto(JsonNode? value, JsonNode schema, string path, List<string> problems)
    {
        schema = Resolve(schema);
        if (schema["oneOf"] is JsonArray choices)
        {
            var matching = choices.Count(choice => Check(value, choice!, path).Count == 0);
            if (matching != 1)
            {
                problems.Add($"{path}: matches {matching} of the {choices.Count} schemas of oneOf");
            }

            return;
        }

        var types = Types(schema);
        var kind = KindOf(value);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            problems.Add($"{path}: is {kind}, the document says {string.Join(" or ", types)}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && value is not null && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            problems.Add($"{path}: {value.ToJsonString()} is none of {allowed.ToJsonString()}");
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, problems);
                break;
            case JsonArray array when schema["items"] is { } items:
                for (var i = 0; i < array.Count; i++)
                {
                    CheckInto(array[i], items, $"{path}[{i}]", problems);
                }

                break;
            case JsonValue scalar:
                CheckFormat(scalar, schema["format"]?.GetValue<string>(), path, problems);
                break;
        }
    }

    private void CheckObject(JsonObject obj, JsonNode schema, string path, List<string> problems)
    {
        if (schema["maxProperties"]?.GetValue<int>() is { } most && obj.Count > most)
        {
            problems.Add($"{path}: has {obj.Count} members, the document allows at most {most}");
        }

        var properties = schema["properties"] as JsonObject;
        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
        {
            if (!obj.ContainsKey(required))
            {
                problems.Add($"{path}: the required member {required} is missing");
            }
        }

        foreach (var (name, member) in obj)
        {
            if (properties?[name] is { } declared)
            {
                CheckInto(member, declared, $"{path}.{name}", problems);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                CheckInto(member, additional, $"{path}.{name}", problems);
            }
            else
            {
                problems.Add($"{path}.{name}: is not in the document");
            }
        }
    }

    private static void CheckFormat(JsonValue scalar, string? format, string path, List<string> problems)
    {
        var ok = format switch
        {
            "int32" => scalar.TryGetValue<int>(out _),
            "int64" => scalar.TryGetValue<long>(out _),
            "date-time" => scalar.TryGetValue<string>(out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            _ => true,
        };
        if (!ok)
        {
            problems.Add($"{path}: {scalar.ToJsonString()} is not {format}");
        }
    }

    private JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference["#/components/schemas/".Length..];
            schema = document["components"]?["schemas"]?[name] ?? throw new InvalidOperationException($"The document has no schema {name}.");
        }

        return schema;
    }

    private static List<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray several => [.. several.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => v.TryGetValue<long>(out _) ? "integer" : "number",
            _ => "null",
        },
        _ => "unknown",
    };
}
