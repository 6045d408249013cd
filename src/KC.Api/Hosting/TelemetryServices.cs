using KC.Application.Common.Telemetry;
using KC.Application.Processing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KC.Api.Hosting;

/// <summary>
/// Where KC's measurements go (ADR 0028). Metrics — KC's meter, ASP.NET Core's, HttpClient's and
/// the runtime's — are always collected and served in Prometheus's text format at <c>/metrics</c>,
/// and pushed over OTLP as well when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or the metrics one) is
/// set. Traces exist only when an OTLP endpoint for them is set: otherwise no listener is
/// registered, every <c>StartActivity</c> of KC's source returns null, and nothing is spent on them.
/// The exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c> settings itself.
/// </summary>
internal static class TelemetryServices
{
    /// <summary>The path Prometheus scrapes, on every node.</summary>
    public const string MetricsPath = "/metrics";

    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var exportMetrics = IsSet(configuration, OtlpEndpoint) || IsSet(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var exportTraces = IsSet(configuration, OtlpEndpoint) || IsSet(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("kc", autoGenerateServiceInstanceId: false)
                .AddDetector(services => new NodeResource(services.GetRequiredService<NodeIdentity>())))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(KcTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (exportMetrics)
                {
                    metrics.AddOtlpExporter();
                }
            });

        if (exportTraces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(KcTelemetry.Name)
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsPlumbing(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        // Built with the meter provider, so the gauges are there from the start, before any job.
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, _) => services.GetRequiredService<KcTelemetry>());
        return builder;
    }

    /// <summary>Serves <see cref="MetricsPath"/>: open like the other reads, on every node, whatever its role.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>Scrapes and probes: not worth a trace each.</summary>
    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    private static bool IsSet(ConfigurationManager configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}

/// <summary>Names the node in every export: <c>service.instance.id</c> is its <c>Node:Id</c>, <c>host.name</c> its host.</summary>
internal sealed class NodeResource(NodeIdentity node) : IResourceDetector
{
    public Resource Detect() => new(
    [
        new KeyValuePair<string, object>("service.instance.id", node.Id),
        new KeyValuePair<string, object>("host.name", node.HostName),
    ]);
}
