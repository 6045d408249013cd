using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KC.Api.FunctionalTests.Infrastructure;
using static KC.Api.FunctionalTests.Infrastructure.Jobs;

namespace KC.Api.FunctionalTests.Observability;

/// <summary>
/// The real Prometheus server (Debian's <c>prometheus</c> package) scrapes a running service on
/// loopback, and its query API answers with what KC counted: proof that a real Prometheus reads
/// what KC writes, not only this project's parser.
/// </summary>
[NonParallelizable]
public sealed class PrometheusScrapeTests : ServiceTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Prometheus_WhenItScrapesTheService_QueriesTheImagesProcessed()
    {
        var prometheus = FindPrometheus() ?? throw new IgnoreException(
            "Skipped: the prometheus server is not installed (no prometheus on PATH or in /usr/bin); `apt-get install prometheus` provides it, and .ci/run installs it.");
        var jobId = await SubmitAsync(Client, Submission(
            Visit(KnownStore, Images.Url("/img/640x480.png"), Images.Url("/img/48x48.jpg"), Images.Url("/status/404"))));
        await WaitUntilSettledAsync(Client, jobId);
        var folder = Directory.CreateTempSubdirectory("kc-prometheus-");
        var port = FreeLoopbackPort();
        var target = Client.BaseAddress!;
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: kc
                metrics_path: /metrics
                static_configs:
                  - targets: ["{target.Host}:{target.Port}"]
            """);
        using var server = Process.Start(new ProcessStartInfo(prometheus)
        {
            ArgumentList =
            {
                $"--config.file={Path.Combine(folder.FullName, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(folder.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var result = await QueryUntilAsync(api, "kc_images_processed_total", r => r.Count >= 2);
            TestContext.Out.WriteLine(result.ToJsonString());

            Assert.Multiple(() =>
            {
                Assert.That(Value(result, ("outcome", "succeeded"), ("reason", "none")), Is.EqualTo(2));
                Assert.That(Value(result, ("outcome", "failed"), ("reason", "http_4xx")), Is.EqualTo(1));
                Assert.That(result.Select(r => r!["metric"]!["job"]!.GetValue<string>()), Is.All.EqualTo("kc"));
            });
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            folder.Delete(recursive: true);
        }
    }

    private static string? FindPrometheus() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "prometheus"))
            .FirstOrDefault(File.Exists);

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Asks Prometheus's HTTP API until the scrape has landed: a vector that satisfies <paramref name="done"/>.</summary>
    private static async Task<JsonArray> QueryUntilAsync(HttpClient api, string query, Func<JsonArray, bool> done)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < Timeout)
        {
            try
            {
                last = await api.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(query)}");
                if (JsonNode.Parse(last)!["data"]?["result"] is JsonArray result && done(result))
                {
                    return result;
                }
            }
            catch (HttpRequestException ex)
            {
                // Still starting.
                last = ex.Message;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Prometheus did not answer {query} within {Timeout.TotalSeconds} s; last answer: {last}");
        return [];
    }

    private static double Value(JsonArray result, params (string Name, string Value)[] labels) =>
        result
            .Where(r => labels.All(l => r!["metric"]![l.Name]?.GetValue<string>() == l.Value))
            .Select(r => double.Parse(r!["value"]![1]!.GetValue<string>(), CultureInfo.InvariantCulture))
            .Single();
}
