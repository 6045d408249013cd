using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KC.Api.Contracts;
using KC.Api.Dashboard;
using KC.Api.Infrastructure;
using KC.Application.Common.Behaviours;
using KC.Application.Common.Interfaces;
using KC.Application.Jobs.Commands.SubmitJob;
using KC.Application.Processing;
using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.FileProviders;
using Scalar.AspNetCore;

namespace KC.Api.Hosting;

/// <summary>The HTTP side of a node: the mediator and its pipeline, MVC with the wire's JSON, errors, protection, documentation, and the endpoints.</summary>
internal static class ApiServices
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var limits = configuration.GetSection(SubmitLimits.SectionName).Get<SubmitLimits>() ?? new SubmitLimits();
        services.AddSingleton(limits);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);

        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(SubmitJobCommand)];
            options.PipelineBehaviors =
            [
                typeof(LoggingBehaviour<,>),
                typeof(UnhandledExceptionBehaviour<,>),
                typeof(ValidationBehaviour<,>),
            ];
        });

        // The same JSON for MVC, which reads and writes the wire, and for the OpenAPI document,
        // which describes it from these options: set once, so the two cannot drift apart.
        services.ConfigureHttpJsonOptions(json => UseWireJson(json.SerializerOptions));
        services
            .AddControllers(mvc =>
            {
                mvc.ModelBinderProviders.Insert(0, new StrictIntegerBinderProvider());
                mvc.Filters.Add<SingleValuedQuery>();
            })
            .AddJsonOptions(json => UseWireJson(json.JsonSerializerOptions))
            .ConfigureApiBehaviorOptions(api => api.InvalidModelStateResponseFactory = InvalidModelState.Respond);

        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // Errors the framework answers itself (404 route, 405, 415) carry the contract's error member too.
            var error = context.ProblemDetails.Status switch
            {
                StatusCodes.Status415UnsupportedMediaType => "body: the Content-Type must be application/json",
                StatusCodes.Status404NotFound => $"{context.HttpContext.Request.Path}: no such endpoint",
                StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}",
                _ => context.ProblemDetails.Detail ?? context.ProblemDetails.Title,
            };
            context.ProblemDetails.Extensions.TryAdd(ErrorBodies.ErrorMember, error);
        });
        services.AddExceptionHandler<ExceptionToProblemDetails>();
        services.AddSingleton<IJobStatusBody, JobStatusBody>();

        services.Configure<KC.Api.Infrastructure.ApiKeyOptions>(configuration.GetSection(SubmitLimits.SectionName));
        services.AddSubmitRateLimit(
            configuration.GetSection($"{SubmitLimits.SectionName}:SubmitRateLimit").Get<SubmitRateLimitOptions>() ?? new SubmitRateLimitOptions());
        services.AddKcOpenApi();

        // Read now, so a bad proxy entry stops the start with its name rather than at the first request.
        var forwarded = configuration.GetSection(ForwardedHeadersSettings.SectionName).Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
        services.AddSingleton(new TrustedProxies(forwarded.IsEnabled ? forwarded.ToOptions() : null));
        builder.AddDashboard();
        return builder;
    }

    /// <summary>The middleware and the endpoints, in the order a request meets them.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        // First, so the rate limit, the logs and everything after see the client behind a trusted proxy.
        if (app.Services.GetRequiredService<TrustedProxies>().Options is { } forwarded)
        {
            app.UseForwardedHeaders(forwarded);
        }

        // Before routing, which then picks the GET endpoint for a HEAD.
        app.UseHeadAsGet();
        app.UseRouting();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();

        if (app.Environment.IsDevelopment())
        {
            // A few bundled images, so the README's curl example works on a machine with no internet access.
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "SampleData", "images")),
                RequestPath = "/samples",
            });
        }

        // Node:Role=worker serves the health endpoints only: its work is claiming images, not answering clients.
        if (app.Services.GetRequiredService<NodeIdentity>().ServesApi)
        {
            app.UseDashboard();
            app.MapControllers();
            app.MapOpenApi();
            // Served with its own scripts and nothing else: no web fonts, no vendor cloud features
            // (AI agent, MCP, SDK generation, telemetry), so the page works offline and is only the reference.
            app.MapScalarApiReference("/docs", scalar => scalar
                .WithTitle("KC API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp()
                .DisableTelemetry()
                .HideDeveloperTools()
                .HideClientButton());
        }

        // Every node is scraped: each one's slots, images and callbacks are its own.
        app.MapMetrics();

        // Live: the process answers. Ready: the database is reachable and migrated, and the worker heartbeats.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponses.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(KC.Infrastructure.DependencyInjection.ReadinessTag),
            ResponseWriter = HealthResponses.WriteAsync,
        });
        return app;
    }

    /// <summary>The wire's JSON: snake_case, integers that are integers, known members only, each once.</summary>
    private static void UseWireJson(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

        // What MVC's output formatter uses when none is set, made explicit so the callback
        // body, written with these same options, matches GET /api/status byte for byte.
        json.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        json.DictionaryKeyPolicy = null;

        // "count": "2" is not an integer; the web defaults would quietly accept it.
        json.NumberHandling = JsonNumberHandling.Strict;

        // A body that says "count" twice is ambiguous, and a misspelt member ("callbackUrl") would
        // be dropped without a word: refuse both, naming the member.
        json.AllowDuplicateProperties = false;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.MaxDepth = 16;
    }

    /// <summary>The forwarded-headers options, when proxies are configured; null when the headers are to be ignored.</summary>
    private sealed record TrustedProxies(ForwardedHeadersOptions? Options);
}
