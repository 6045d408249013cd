using KC.Api.Hosting;
using KC.Application;
using KC.Infrastructure;

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
    builder.Services.AddApplication();
    builder.Services.AddInfrastructure(builder.Configuration);
    builder.AddApi();
    builder.AddTelemetry();

    var app = builder.Build();
    app.UseApi();
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
