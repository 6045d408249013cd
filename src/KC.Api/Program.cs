using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KC.Api.Hosting;
using KC.Api.Infrastructure;
using KC.Api.Contracts;
using KC.Application;
using KC.Application.Common.Interfaces;
using KC.Application.Common.Behaviours;
using KC.Application.Jobs.Commands.SubmitJob;
using KC.Application.Processing;
using KC.Infrastructure;
using Mediator;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Scalar.AspNetCore;

// `dotnet KC.Api.dll probe <url>`: the container's health check, a GET instead of the service.
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

// SQLite's "async" calls complete synchronously, so queue writes hold pool threads while they run.
// Start with enough threads that a status poll never waits for the pool to grow.
ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorkers, 32), minIo);

var startup = new StartupFailure();
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot.Default(args) });
    builder.Logging.QuietUntilStarted(startup);

    var limits = builder.Configuration.GetSection(SubmitLimits.SectionName).Get<SubmitLimits>() ?? new SubmitLimits();
    builder.Services.AddSingleton(limits);
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);

    builder.Services.AddApplication();
    builder.Services.AddInfrastructure(builder.Configuration);
    builder.Services.AddMediator((MediatorOptions options) =>
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

    builder.Services
        .AddControllers(mvc => mvc.ModelBinderProviders.Insert(0, new StrictIntegerBinderProvider()))
        .AddJsonOptions(json =>
        {
            json.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;

            // What MVC's output formatter uses when none is set, made explicit so the callback
            // body, written with these same options, matches GET /api/status byte for byte.
            json.JsonSerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            json.JsonSerializerOptions.DictionaryKeyPolicy = null;

            // "count": "2" is not an integer; the web defaults would quietly accept it.
            json.JsonSerializerOptions.NumberHandling = JsonNumberHandling.Strict;

            // A body that says "count" twice is ambiguous; refuse it rather than guess which one counts.
            json.JsonSerializerOptions.AllowDuplicateProperties = false;
            json.JsonSerializerOptions.MaxDepth = 16;
        })
        .ConfigureApiBehaviorOptions(api => api.InvalidModelStateResponseFactory = InvalidModelState.Respond);

    builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
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
    builder.Services.AddExceptionHandler<ExceptionToProblemDetails>();
    builder.Services.AddSingleton<IJobStatusBody, JobStatusBody>();

    builder.Services.Configure<KC.Api.Infrastructure.ApiKeyOptions>(builder.Configuration.GetSection(SubmitLimits.SectionName));
    builder.Services.AddSubmitRateLimit(
        builder.Configuration.GetSection($"{SubmitLimits.SectionName}:SubmitRateLimit").Get<SubmitRateLimitOptions>() ?? new SubmitRateLimitOptions());
    builder.Services.AddKcOpenApi();
    var forwarded = builder.Configuration.GetSection(ForwardedHeadersSettings.SectionName).Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();
    var forwardedOptions = forwarded.IsEnabled ? forwarded.ToOptions() : null;

    var app = builder.Build();

    // First, so the rate limit, the logs and everything after see the client behind a trusted proxy.
    if (forwardedOptions is not null)
    {
        app.UseForwardedHeaders(forwardedOptions);
    }

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
        app.MapControllers();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", scalar => scalar.WithTitle("KC API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
    }

    // Live: the process answers. Ready: the database is reachable and migrated, and the worker heartbeats.
    app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponses.WriteAsync });
    app.MapHealthChecks("/health/ready", new HealthCheckOptions
    {
        Predicate = check => check.Tags.Contains(KC.Infrastructure.DependencyInjection.ReadinessTag),
        ResponseWriter = HealthResponses.WriteAsync,
    });

    app.Lifetime.ApplicationStarted.Register(startup.Started);
    await app.RunAsync();

    // Zero unless something that stopped the host said otherwise (a node whose id was taken over).
    return Environment.ExitCode;
}
catch (Exception ex) when (ex is not HostAbortedException && !startup.HasStarted)
{
    // HostAbortedException is how the test host and the EF tools take the built app over: not a failure.
    await Console.Error.WriteLineAsync($"KC could not start: {StartupFailure.Describe(ex)}");
    return StartupFailure.ExitCode;
}

/// <summary>The entry point, visible to the functional tests' host factory.</summary>
public partial class Program;
