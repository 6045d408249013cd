using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using KC.Api.Contracts;
using Microsoft.OpenApi;

namespace KC.Api.Infrastructure;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> (summaries from the controllers' XML comments)
/// with a description of the service and worked examples for the contract's endpoints.
/// </summary>
internal static partial class OpenApiDocs
{
    private const string ApiKeyScheme = "ApiKey";

    private const string PrimaryErrorMember = "error";

    private const string PrimaryErrorMessageExtension = "x-ms-primary-error-message";

    private static readonly Dictionary<string, (string? Request, Dictionary<string, string> Responses)> Examples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST api/submit"] = (
            """{"count":2,"visits":[{"store_id":"S00339218","image_url":["https://example.com/a.jpg","https://example.com/b.jpg"],"visit_time":"2025-03-11T12:00:00Z"},{"store_id":"S01408764","image_url":["https://example.com/c.jpg"],"visit_time":"2025-03-11T17:30:00+05:30"}]}""",
            new()
            {
                ["201"] = """{"job_id":123}""",
                ["400"] = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid.","status":400,"errors":{"visits[1].image_url[0]":["must be an absolute http or https URL"]},"error":"visits[1].image_url[0]: must be an absolute http or https URL"}""",
            }),
        ["GET api/status"] = (
            null,
            new()
            {
                ["200"] = """{"job_id":123,"status":"failed","progress":{"total":3,"succeeded":2,"failed":1,"cancelled":0,"pending":0},"error":[{"store_id":"S01408764","error":"https://example.com/c.jpg: HTTP 404"}]}""",
                ["400"] = "{}",
            }),
        ["GET api/jobs/{job_id}"] = (
            null,
            new()
            {
                ["200"] = """{"job_id":123,"status":"completed","created_at":"2026-01-02T10:00:00Z","completed_at":"2026-01-02T10:00:04Z","estimated_completion_at":null,"progress":{"total":1,"succeeded":1,"failed":0,"cancelled":0,"pending":0},"visits":[{"store_id":"S00339218","store_name":"BHARAT STORE","area_code":"710006","visit_time":"2025-03-11T12:00:00Z","status":"completed","images":[{"image_url":"https://example.com/a.jpg","status":"succeeded","attempts":1,"width":640,"height":480,"perimeter":2240,"error":null,"last_error":null,"bytes":48213,"download_ms":12,"gpu_ms":231}]}],"error":[],"callback":null}""",
                ["404"] = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not found.","status":404,"detail":"Job 123 was not found.","error":"Job 123 was not found."}""",
            }),
        ["POST api/jobs/{job_id}/cancel"] = (
            null,
            new()
            {
                ["200"] = """{"job_id":123,"status":"cancelled","progress":{"total":3,"succeeded":1,"failed":0,"cancelled":2,"pending":0}}""",
                ["409"] = """{"title":"Conflict.","status":409,"detail":"Job 123 is already completed; only an ongoing job can be cancelled.","error":"Job 123 is already completed; only an ongoing job can be cancelled."}""",
            }),
        ["POST api/jobs/{job_id}/retry"] = (
            null,
            new()
            {
                ["200"] = """{"job_id":123,"status":"ongoing","progress":{"total":3,"succeeded":2,"failed":0,"cancelled":0,"pending":1}}""",
                ["409"] = """{"title":"Conflict.","status":409,"detail":"Job 123 is completed; only a failed job can be retried.","error":"Job 123 is completed; only a failed job can be retried."}""",
            }),
    };

    private static bool OmittedWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>()
            .Any(ignore => ignore.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    private static TAttribute? Attribute<TAttribute>(JsonPropertyInfo property)
        where TAttribute : Attribute =>
        property.AttributeProvider?.GetCustomAttributes(typeof(TAttribute), inherit: true).OfType<TAttribute>().FirstOrDefault();

    /// <summary>Each paragraph on one line: the line breaks an XML comment wraps at become spaces; blank lines stay.</summary>
    private static string Reflow(string text) =>
        string.Join("\n\n", ParagraphBreak().Split(text.Trim()).Select(paragraph => LineBreak().Replace(paragraph, " ")));

    [GeneratedRegex(@"\r?\n[ \t]*\r?\n\s*")]
    private static partial Regex ParagraphBreak();

    [GeneratedRegex(@"[ \t]*\r?\n[ \t]*")]
    private static partial Regex LineBreak();

    public static IServiceCollection AddKcOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "KC — the Retail Pulse image-processing job service";
                document.Info.Version = "v1";
                document.Info.Description =
                    "Submit jobs of store visits with shelf-photo URLs; KC downloads each image, reads its size, " +
                    "computes its perimeter and stores the result. Errors are RFC 9457 problem details whose `error` " +
                    "member is one sentence naming the field at fault.";
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Jobs", Description = "Submit jobs of store visits, follow them, read and export their results, cancel and retry them." },
                    new() { Name = "Visits", Description = "Visits across jobs, by store, area and time." },
                    new() { Name = "Stores", Description = "The store master every visit's store must be in." },
                    new() { Name = "Nodes", Description = "The processes that share the database, and what each is doing." },
                };
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyOptions.HeaderName,
                    Description = "One of `Api:Keys`, needed by the write endpoints when keys are set (they are off by default); reads stay open.",
                };
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // A member left out when null is not always there: not required.
                if (context.JsonPropertyInfo is null && schema.Required is { Count: > 0 } required)
                {
                    foreach (var property in context.JsonTypeInfo.Properties.Where(OmittedWhenNull))
                    {
                        required.Remove(property.Name);
                    }
                }

                // The error sentence is the message of a generated client's exception (Kiota reads
                // this extension), not "Exception of type ProblemResponse was thrown".
                if (context.JsonPropertyInfo is { } member && member.DeclaringType == typeof(ProblemResponse)
                    && member.Name == PrimaryErrorMember && schema is OpenApiSchema error)
                {
                    error.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    error.Extensions[PrimaryErrorMessageExtension] = new JsonNodeExtension(JsonValue.Create(true));
                }

                // A string of fixed words lists them, spelled by the code that writes them.
                if (context.JsonPropertyInfo is { } worded && Attribute<WordsAttribute>(worded) is { } words && schema is OpenApiSchema wordSchema)
                {
                    wordSchema.Enum = words.List().Select(word => (JsonNode)JsonValue.Create(word)).ToList();
                }

                // Members a request must have are required and not null, though the request type
                // keeps them nullable so that the validator names what is missing.
                if (context.JsonPropertyInfo is null && schema is OpenApiSchema request)
                {
                    foreach (var property in context.JsonTypeInfo.Properties.Where(p => Attribute<RequiredOnTheWireAttribute>(p) is not null))
                    {
                        (request.Required ??= new HashSet<string>()).Add(property.Name);
                    }
                }

                if (context.JsonPropertyInfo is { } requiredOnTheWire && Attribute<RequiredOnTheWireAttribute>(requiredOnTheWire) is not null
                    && schema is OpenApiSchema { Type: { } type } requiredMember)
                {
                    requiredMember.Type = type & ~JsonSchemaType.Null;
                }

                if (schema is OpenApiSchema { Description: { } description } describedSchema)
                {
                    describedSchema.Description = Reflow(description);
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, _, _) =>
            {
                // XML comments wrap their lines; a generated client joins them with no space ("for\nan"
                // becomes "foran"), so each paragraph is one line in the document.
                operation.Summary = operation.Summary is { } summary ? Reflow(summary) : null;
                operation.Description = operation.Description is { } text ? Reflow(text) : null;
                foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
                {
                    parameter.Description = parameter.Description is { } about ? Reflow(about) : null;
                }

                foreach (var response in (operation.Responses ?? []).Values.OfType<OpenApiResponse>())
                {
                    response.Description = response.Description is { } said ? Reflow(said) : null;
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // The store import reads its body itself, so the document says what it takes.
                if ($"{context.Description.HttpMethod} {context.Description.RelativePath}" == "POST api/stores/import")
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Description = "The store-master CSV: header `AreaCode,StoreName,StoreID` (or `area_code,store_name,store_id`, any order).",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["multipart/form-data"] = new()
                            {
                                Schema = new OpenApiSchema
                                {
                                    Type = JsonSchemaType.Object,
                                    Required = new HashSet<string> { "file" },
                                    Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                                },
                            },
                            ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                        },
                    };
                }

                // The write endpoints need a key when keys are set; the reads are open, and say so.
                operation.Security = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequireApiKeyAttribute>().Any()
                    ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] }]
                    : [new OpenApiSecurityRequirement()];

                // The contract's 400 for an unknown job is exactly {}; a missing or malformed jobid is problem details.
                if ($"{context.Description.HttpMethod} {context.Description.RelativePath}" == "GET api/status"
                    && operation.Responses?.TryGetValue("400", out var badRequest) == true && badRequest is OpenApiResponse response)
                {
                    response.Description = "`{}` exactly when the job does not exist; problem details naming `jobid` when it is missing or not a positive integer.";
                    response.Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, MaxProperties = 0, Description = "The job does not exist." } },
                        [ProblemResponse.ContentType] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemResponse), context.Document) },
                    };
                }

                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var key = $"{context.Description.HttpMethod} {context.Description.RelativePath}";
                if (!Examples.TryGetValue(key, out var examples))
                {
                    return Task.CompletedTask;
                }

                if (key == "POST api/submit")
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "Idempotency-Key",
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "1–200 printable ASCII characters. A retry with the same key and body answers with the same job (Idempotent-Replayed: true); the same key with another body is a 422. When API keys are set, each API key has keys of its own.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                    });
                }

                if (examples.Request is { } request && operation.RequestBody?.Content is { } content)
                {
                    foreach (var media in content.Values)
                    {
                        media.Example = JsonNode.Parse(request);
                    }
                }

                foreach (var (status, body) in examples.Responses)
                {
                    if (operation.Responses?.TryGetValue(status, out var response) == true && response.Content is { } responseContent)
                    {
                        foreach (var media in responseContent.Values)
                        {
                            media.Example = JsonNode.Parse(body);
                        }
                    }
                }

                return Task.CompletedTask;
            });
        });
}
