using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using KC.Api.Contracts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Controllers;

namespace KC.Api.Infrastructure;

/// <summary>
/// Turns binding failures (a body that is not JSON, a member of the wrong JSON type, a query value
/// that is not a number) into the contract's 400: one sentence that names the field.
/// </summary>
internal static partial class InvalidModelState
{
    /// <summary>The members a request body may have, as the wire spells them.</summary>
    private static readonly FrozenSet<string> RequestMembers = new[] { typeof(SubmitJobRequest), typeof(VisitRequest) }
        .SelectMany(type => type.GetProperties())
        .Select(property => JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name))
        .ToFrozenSet(StringComparer.Ordinal);

    public static IActionResult Respond(ActionContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var hasJsonErrors = context.ModelState.Any(e => e.Key.StartsWith('$') && e.Value?.Errors.Count > 0);
        foreach (var (key, entry) in context.ModelState)
        {
            // A JSON error is always echoed by a generic "body is required" on the body parameter.
            if (entry.Errors.Count == 0 || (hasJsonErrors && !key.StartsWith('$') && FieldName(key, context) == "body"))
            {
                continue;
            }

            var field = FieldName(key, context);
            var messages = entry.Errors.Select(e => Describe(field, key, e, context)).ToArray();
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, .. messages] : messages;
        }

        var first = errors.First();
        return new BadRequestObjectResult(ErrorBodies.BadRequest($"{first.Key}: {first.Value[0]}", errors));
    }

    private static string FieldName(string key, ActionContext context)
    {
        if (key.StartsWith('$'))
        {
            var path = key.TrimStart('$').TrimStart('.');
            return path.Length == 0 ? "body" : path;
        }

        // The body parameter's own name ("request") means the body as a whole.
        var isBodyParameter = context.ActionDescriptor.Parameters.Any(p =>
            p.BindingInfo?.BindingSource?.Id == "Body" && string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));
        return key.Length == 0 || isBodyParameter ? "body" : key;
    }

    private static string Describe(string field, string key, Microsoft.AspNetCore.Mvc.ModelBinding.ModelError error, ActionContext context)
    {
        var message = error.Exception?.Message ?? error.ErrorMessage;
        if (field == "body" && message.Contains("non-empty request body", StringComparison.Ordinal))
        {
            return "a JSON object is required";
        }

        if (ConvertedTo().Match(message) is { Success: true } conversion)
        {
            return Expected(conversion.Groups[1].Value, field);
        }

        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            return UnknownMember(field);
        }

        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return "is given more than once; give it once";
        }

        if (key.StartsWith('$'))
        {
            return "is not valid JSON";
        }

        var parameter = context.ActionDescriptor.Parameters
            .OfType<ControllerParameterDescriptor>()
            .FirstOrDefault(p => string.Equals(p.BindingInfo?.BinderModelName ?? p.Name, key, StringComparison.OrdinalIgnoreCase));
        var type = parameter is null ? null : Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return type == typeof(long) || type == typeof(int) ? "must be a positive integer" : "is not a valid value";
    }

    /// <summary>A member no request type has, with the member meant when it is one written in another case.</summary>
    private static string UnknownMember(string field)
    {
        var name = field[(field.LastIndexOf('.') + 1)..];
        var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
        return snake != name && RequestMembers.Contains(snake)
            ? $"is not a known member; did you mean {snake}?"
            : "is not a known member";
    }

    private static string Expected(string clrType, string field) => clrType switch
    {
        _ when clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal) => "must be an integer",
        _ when clrType.Contains("String", StringComparison.Ordinal) && !clrType.Contains("List", StringComparison.Ordinal) => "must be a string",
        _ when clrType.Contains("List", StringComparison.Ordinal) => "must be an array",
        _ when field == "body" => "must be a JSON object",
        _ => "must be an object",
    };

    [GeneratedRegex(@"could not be converted to (\S+?)\. Path", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertedTo();
}
